"""The administration screen: catalogue, counters, users, devices and the calendar (page.AdminPage)."""
