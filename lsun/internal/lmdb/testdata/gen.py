#!/usr/bin/python3
"""Generate the LMDB fixtures used by the tests of package lmdb.

Made with Debian's python3-lmdb 1.4.0 on liblmdb0 0.9.24 (4096-byte pages,
x86-64). To regenerate them, run from the repository root:

    apt-get install -y python3-lmdb
    /usr/bin/python3 lsun/internal/lmdb/testdata/gen.py

Outputs (all in this directory; lock.mdb files are deleted, the reader must
not need them):

  multilevel/data.mdb          the environment after two write transactions,
                               not compacted: meta page 0 holds transaction 2
                               (the final state), meta page 1 the stale
                               transaction 1, whose tree is still intact
  multilevel-compact/data.mdb  env.copy(compact=True) of the final state
  multilevel.txt               the final state: "key-hex sha256-of-value-hex"
                               per line, in LMDB (bytewise) key order
  multilevel-txn1.txt          the same for the state after transaction 1
  small/data.mdb, small.txt    a two-level database of 11 entries with
                               400-byte keys, one value on 2 overflow pages,
                               compacted (28 KB: a seed for FuzzCursor)
  subdb/data.mdb               a main database holding one named database
                               (node flag F_SUBDATA), compacted

python-lmdb cannot set MDB_DUPSORT on the main database, so the tests make
that case (and F_DUPDATA nodes) by patching bytes of the files above.

The keys of the multi-level database are 180 to 500 bytes long, so that few
fit on a 4096-byte page and the tree is three levels deep while the file stays
small; they contain 0x00 and 0xFF bytes, and some keys are prefixes of others.
Values are empty, small (stored in the leaf node), just below and above the
inline limit, and large (overflow pages, up to 6 pages).
"""

import hashlib
import os
import random
import shutil
import tempfile

import lmdb

OUT = os.path.dirname(os.path.abspath(__file__))


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def write_golden(path, items):
    with open(path, "w") as f:
        for k in sorted(items):
            f.write("%s %s\n" % (k.hex(), hashlib.sha256(items[k]).hexdigest()))


def main():
    rng = random.Random(20240611)

    def key():
        n = rng.randint(180, 500)
        b = bytearray(rng.getrandbits(8) for _ in range(n))
        # Bias a few leading bytes to 0x00 and 0xFF so that both ends of the
        # byte range are exercised in the ordering.
        r = rng.random()
        if r < 0.15:
            b[0] = 0x00
        elif r < 0.30:
            b[0] = 0xFF
        b[rng.randrange(n)] = 0x00
        b[rng.randrange(n)] = 0xFF
        return bytes(b)

    def value(i):
        kind = i % 20
        if kind in (0, 1, 10, 11):
            return b""
        if kind in (2, 3, 4, 5, 12, 13, 14, 15, 17):
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 120)))
        if kind in (6, 16):
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(900, 1500)))
        if kind == 7:
            # Large: the node would exceed the page's node limit, so LMDB
            # moves the value to overflow pages (1 to 6 of them).
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(4000, 21000)))
        return bytes([i % 256]) * rng.randint(1, 40)

    items = {}
    for i in range(220):
        items[key()] = value(i)
    # Keys that are prefixes of one another, and the extreme keys.
    base = key()[:300]
    items[base] = b"prefix"
    items[base + b"\x00"] = b"prefix+00"
    items[base + b"\x00\x00"] = b""
    items[base + b"\xff"] = bytes(range(256)) * 30  # 7680 bytes, overflow
    items[b"\x00"] = b"lowest"
    items[b"\x00" * 500] = b"zeros"
    items[b"\xff" * 500] = bytes(rng.getrandbits(8) for _ in range(9000))
    items[b"\xff"] = b""

    tmp = tempfile.mkdtemp()
    try:
        envdir = os.path.join(tmp, "env")
        env = lmdb.open(envdir, map_size=64 << 20, sync=False)
        assert env.info()["last_txnid"] == 0
        # Transaction 1: everything.
        with env.begin(write=True) as txn:
            for k, v in items.items():
                txn.put(k, v)
        txn1 = dict(items)
        # Transaction 2: delete some keys, overwrite some values (growing and
        # shrinking, inline <-> overflow), add new keys.
        keys = sorted(items)
        with env.begin(write=True) as txn:
            for k in keys[5:40:3]:
                txn.delete(k)
                del items[k]
            for j, k in enumerate(keys[60:120:4]):
                v = value(j + 7) if j % 2 else b"small-now"
                txn.put(k, v)
                items[k] = v
            for i in range(24):
                k = key()
                v = value(i)
                txn.put(k, v)
                items[k] = v
        assert env.info()["last_txnid"] == 2
        st = env.stat()
        assert st["entries"] == len(items), (st, len(items))
        assert st["depth"] >= 3, st
        print("final: entries %d depth %d branch %d leaf %d overflow %d" % (
            st["entries"], st["depth"], st["branch_pages"], st["leaf_pages"],
            st["overflow_pages"]))

        # The database must iterate in bytewise order, as the golden lists are.
        with env.begin() as txn:
            got = [(k, v) for k, v in txn.cursor()]
        assert got == sorted(items.items()), "LMDB order differs from sorted()"

        fresh(os.path.join(OUT, "multilevel"))
        fresh(os.path.join(OUT, "multilevel-compact"))
        env.copy(os.path.join(OUT, "multilevel-compact"), compact=True)
        env.close()
        shutil.copyfile(os.path.join(envdir, "data.mdb"),
                        os.path.join(OUT, "multilevel", "data.mdb"))
    finally:
        shutil.rmtree(tmp)

    write_golden(os.path.join(OUT, "multilevel.txt"), items)
    write_golden(os.path.join(OUT, "multilevel-txn1.txt"), txn1)

    # A small two-level database (a seed for the fuzz test): a branch root,
    # a few leaves, one value on two overflow pages.
    tmp = tempfile.mkdtemp()
    try:
        env = lmdb.open(tmp, map_size=1 << 20)
        small = {}
        for i in range(10):
            small[bytes([0x41 + i]) * 400] = b"v%d" % i
        small[b"C" * 400 + b"\xff"] = bytes(range(256)) * 20  # 5120 bytes
        with env.begin(write=True) as txn:
            for k, v in small.items():
                txn.put(k, v)
        st = env.stat()
        assert st["depth"] == 2, st
        fresh(os.path.join(OUT, "small"))
        env.copy(os.path.join(OUT, "small"), compact=True)
        env.close()
    finally:
        shutil.rmtree(tmp)
    write_golden(os.path.join(OUT, "small.txt"), small)

    # A main database with a named sub-database in it.
    tmp = tempfile.mkdtemp()
    try:
        env = lmdb.open(tmp, map_size=1 << 20, max_dbs=2)
        sub = env.open_db(b"sub")
        with env.begin(write=True) as txn:
            txn.put(b"a", b"1")
            txn.put(b"k", b"v", db=sub)
        fresh(os.path.join(OUT, "subdb"))
        env.copy(os.path.join(OUT, "subdb"), compact=True)
        env.close()
    finally:
        shutil.rmtree(tmp)

    for d in ("multilevel", "multilevel-compact", "small", "subdb"):
        lock = os.path.join(OUT, d, "lock.mdb")
        if os.path.exists(lock):
            os.remove(lock)
        print(d, os.path.getsize(os.path.join(OUT, d, "data.mdb")))


if __name__ == "__main__":
    main()
