"""Signed updates of CP2 Desk from its hub, installed at the next start.

- `download`: checks the hub's update repository (TUF metadata signed by KNEC, verified
  against the root metadata the app ships, `root.json`), downloads the new version or a
  patch from the installed one, verifies its length and hash, and unpacks it into a
  staging folder. Runs in the background; the installed app is never touched.
- `install`: at the next start, before anything else loads, puts a staged version in
  place of the installed one and starts it.
- `places`: where these files live on the device.

Nothing here imports Qt: the UI (`cp2desk.ui.update_prompt`) decides when to ask.
"""
