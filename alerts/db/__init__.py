"""The database: the asyncpg pool and its error translation, named queries, migrations, the
embedded PostgreSQL.
"""
