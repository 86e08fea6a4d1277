"""Poster rounds (issue 21): for a case of level 2 or more whose consent allows posters, staff
start a round (`service.start`); volunteers near the place who opted in (`optin`) are asked,
those who accept get a zone of their own (`models.zone`: sectors of rings around the place, in
order of acceptance) and the print link, and record each place where they put posters up. The
sweep (`service.sweep`) asks them to replace their posters when a revision changes what the
poster shows, and gives each a takedown task listing their own places when the case closes or
its consent no longer allows posters; the scheduler reminds, then reports what is still up
(`service.remind`). `notices` sends all of it through the round's own outbox. Places are shown
only to the case's staff and deleted with the case's purge.
"""
