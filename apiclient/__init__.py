"""The one client of the server's HTTP API, for the Qt apps.

``client.Client`` has a typed method per endpoint; ``events.EventStream`` reads the live
event stream and reconnects by itself; ``errors`` maps HTTP failures to onestop errors
(plus ServerUnavailable and Unauthorized), so callers never see a requests exception.
"""
