"""The CP2 hub: the central server CP2 Desk replicas reconcile with."""
