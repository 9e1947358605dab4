"""PostgreSQL extended-query-protocol client (psycopg 3) for record-l7.sh.

psycopg 3 sends parameterised queries with Parse/Bind/Describe/Execute/Sync;
prepare=True makes it a NAMED prepared statement (Parse once, Bind/Execute
on reuse). Prints one expected line per statement it executed.
Usage: pg_extended.py CONNINFO"""
import sys

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5) as conn:
    with conn.cursor() as cur:
        for item_id in (1, 2):
            cur.execute("SELECT id, name, qty FROM items WHERE id = %s", (item_id,), prepare=True)
            cur.fetchall()
            print("pgsql SELECT extended")
        cur.execute("INSERT INTO items (id, name, qty) VALUES (%s, %s, %s)", (10, "widget", 7),
                    prepare=True)
        print("pgsql INSERT extended")
        cur.execute("UPDATE items SET qty = qty + %s WHERE id = %s", (1, 10))
        print("pgsql UPDATE extended")
        try:
            cur.execute("SELECT * FROM no_such_table WHERE id = %s", (1,))
        except psycopg.errors.UndefinedTable:
            print("pgsql SELECT extended 42P01")
