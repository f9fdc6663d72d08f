"""The web server: the app factory, /api/messages, /api/incidents, exports, health."""
