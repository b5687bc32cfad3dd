"""The one-stop domain: pure Python rules shared by the server and the apps.

Nothing here imports Qt, SQLAlchemy, requests, escpos or serial (import-linter
enforces it), so every rule can be tested without a database or a screen.
"""
