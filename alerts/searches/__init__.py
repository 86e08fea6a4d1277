"""Field-search call-outs (issue 21): staff create a search for an active case with a police
liaison named; volunteers in reach who opted in and confirmed they are adults are called out
(`service.create`), answer coming or not within the maximum (`service.answer`), check in at the
assembly point, search the sectors their team leader takes, report finds (a sighting for staff)
and check out. `notices` sends the call-out, the changes and the end through the search's own
outbox (`search_messages`). Positions are kept only while checked in and shown only to the
case's staff (`board`); everything is deleted with the case's purge.
"""
