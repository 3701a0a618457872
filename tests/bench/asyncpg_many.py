"""asyncpg's executemany of ROWS two-column rows, RUNS times after two
warm-up runs: prints the median and the best time in milliseconds.
Used by run.sh as the anchor of pgdeck's executemany (\\batch)."""
import asyncio
import os
import random
import statistics
import sys
import time

import asyncpg


async def main():
    nrows, runs = int(sys.argv[1]), int(sys.argv[2])
    conn = await asyncpg.connect(host=os.environ["PGHOST"],
                                 port=int(os.environ["PGPORT"]),
                                 user=os.environ.get("PGUSER"),
                                 database=os.environ.get("PGDATABASE"))
    sql = "INSERT INTO bench_many (a, b) VALUES ($1, $2)"
    times = []
    for i in range(runs + 2):
        rows = [(random.randint(1, 1000000), str(random.randint(1, 1000000)))
                for _ in range(nrows)]
        t0 = time.perf_counter()
        await conn.executemany(sql, rows)
        if i >= 2:
            times.append(time.perf_counter() - t0)
    await conn.close()
    print("%.3f %.3f" % (statistics.median(times) * 1000, min(times) * 1000))


asyncio.run(main())
