"""Pages inside a workspace: each is a view that emits what the user asked for."""
