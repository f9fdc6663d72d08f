"""The pure domain of Safeguarding Tracker: no Teams, HTTP or database code lives here."""
