"""The staff and admin web console: server-rendered Persian pages at ``/console``."""
