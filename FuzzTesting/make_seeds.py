#!/usr/bin/env python3
"""Writes the seed corpus: valid and malformed BGP messages (Corpus/FuzzBGPMessage) and
path attribute lists (Corpus/FuzzBGPAttributes). Run again after changing it; the files
are committed so that the fuzzer and the replay test need no Python."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))

def msg(t, body, length=None, marker=b"\xff" * 16):
    return marker + struct.pack(">HB", 19 + len(body) if length is None else length, t) + body

def attr(flags, t, value):
    if flags & 0x10:
        return bytes([flags, t]) + struct.pack(">H", len(value)) + value
    return bytes([flags, t, len(value)]) + value

caps = (bytes([1, 4, 0, 1, 0, 1]) + bytes([1, 4, 0, 2, 0, 1]) + bytes([65, 4]) + struct.pack(">I", 4200000001)
        + bytes([2, 0]) + bytes([64, 6, 0x80, 120, 0, 1, 1, 0x80]))
def open_body(version=4, asn=23456, hold=90, ident=bytes([10, 0, 0, 1]), params=None):
    p = bytes([2, len(caps)]) + caps if params is None else params
    return bytes([version]) + struct.pack(">HH", asn, hold) + ident + bytes([len(p)]) + p

origin = attr(0x40, 1, b"\x00")
aspath4 = attr(0x40, 2, bytes([2, 2]) + struct.pack(">II", 65001, 4200000001))
aspath2 = attr(0x40, 2, bytes([2, 2]) + struct.pack(">HH", 65001, 23456))
as4path = attr(0xC0, 17, bytes([2, 2]) + struct.pack(">II", 65001, 4200000001))
nexthop = attr(0x40, 3, bytes([10, 0, 0, 1]))
med = attr(0x80, 4, struct.pack(">I", 10))
localpref = attr(0x40, 5, struct.pack(">I", 200))
atomic = attr(0x40, 6, b"")
aggregator = attr(0xC0, 7, struct.pack(">I", 65001) + bytes([10, 0, 0, 1]))
communities = attr(0xC0, 8, struct.pack(">II", (65002 << 16) | 100, 0xFFFFFF01))
unknown = attr(0xC0, 99, b"hello")
unknown_ext = attr(0xD0, 98, bytes(300))
mp_reach6 = attr(0x90, 14, struct.pack(">HB", 2, 1) + bytes([16]) + bytes.fromhex("fd000254000000000000000000000002")
                 + b"\x00" + bytes([64]) + bytes.fromhex("fd10000200000000") + bytes([48]) + bytes.fromhex("fd1000030000"))
mp_reach6_ll = attr(0x90, 14, struct.pack(">HB", 2, 1) + bytes([32]) + bytes.fromhex("fd000254000000000000000000000002")
                    + bytes.fromhex("fe800000000000000000000000000001") + b"\x00" + bytes([128]) + bytes(16))
mp_unreach6 = attr(0x90, 15, struct.pack(">HB", 2, 1) + bytes([64]) + bytes.fromhex("fd10000200000000"))
mp_unreach6_eor = attr(0x90, 15, struct.pack(">HB", 2, 1))
nlri = bytes([24, 10, 1, 0, 16, 10, 2, 32, 10, 3, 4, 5, 0])

def update(attrs, nlri=b"", withdrawn=b"", wlen=None, alen=None):
    return msg(2, struct.pack(">H", len(withdrawn) if wlen is None else wlen) + withdrawn
               + struct.pack(">H", len(attrs) if alen is None else alen) + attrs + nlri)

full = origin + aspath4 + nexthop + med + localpref + atomic + aggregator + communities + unknown
messages = {
    "keepalive": msg(4, b""),
    "open": msg(1, open_body()),
    "open-no-caps": msg(1, open_body(asn=65001, params=b"")),
    "notification-cease": msg(3, bytes([6, 2]) + b"bye"),
    "route-refresh": msg(5, struct.pack(">HBB", 1, 0, 1)),
    "update-ipv4": update(origin + aspath4 + nexthop, nlri),
    "update-full": update(full, nlri),
    "update-ipv4-withdraw": update(b"", withdrawn=bytes([24, 10, 1, 0])),
    "update-eor-ipv4": update(b""),
    "update-ipv6": update(origin + aspath4 + mp_reach6 + communities),
    "update-ipv6-linklocal": update(origin + aspath4 + mp_reach6_ll),
    "update-ipv6-withdraw": update(mp_unreach6),
    "update-eor-ipv6": update(mp_unreach6_eor),
    "update-2octet-as4path": update(origin + aspath2 + as4path + nexthop, nlri),
    "update-extended-length": update(origin + aspath4 + nexthop + unknown_ext, nlri),
    # malformed
    "bad-marker": msg(4, b"", marker=b"\xff" * 15 + b"\x00"),
    "bad-length-18": msg(4, b"", length=18),
    "bad-type": msg(7, b"\x00\x00\x00\x00"),
    "open-version-3": msg(1, open_body(version=3)),
    "open-hold-2": msg(1, open_body(hold=2)),
    "open-ident-0": msg(1, open_body(ident=bytes(4))),
    "open-params-overrun": msg(1, open_body()[:-3]),
    "update-withdrawn-overrun": update(origin, wlen=300),
    "update-attrs-overrun": update(origin, alen=300),
    "update-prefix-33": update(origin + aspath4 + nexthop, bytes([33, 10, 0, 0, 0, 0])),
    "update-origin-5": update(attr(0x40, 1, b"\x05") + aspath4 + nexthop, nlri),
    "update-origin-missing": update(aspath4 + nexthop, nlri),
    "update-aspath-overrun": update(origin + attr(0x40, 2, bytes([2, 9, 0, 0])) + nexthop, nlri),
    "update-nexthop-5": update(origin + aspath4 + attr(0x40, 3, bytes(5)), nlri),
    "update-wellknown-unknown": update(origin + aspath4 + nexthop + attr(0x40, 99, b"x"), nlri),
    "update-mpreach-short": update(origin + aspath4 + attr(0x80, 14, bytes([0, 2, 1])), b""),
    "update-mpreach-twice": update(origin + aspath4 + mp_reach6 + mp_reach6),
    "update-duplicate-origin": update(origin + origin + aspath4 + nexthop, nlri),
    "update-aggregator-5": update(origin + aspath4 + nexthop + attr(0xC0, 7, bytes(5)), nlri),
    "route-refresh-long": msg(5, struct.pack(">HBB", 1, 0, 1) + b"\x00"),
}
attribute_lists = {
    "minimal": origin + aspath4 + nexthop,
    "full": full,
    "ipv6": origin + aspath4 + mp_reach6 + mp_unreach6,
    "as4": origin + aspath2 + as4path + nexthop + attr(0xC0, 18, struct.pack(">I", 4200000001) + bytes(4)),
    "extended": unknown_ext + origin,
    "truncated": (origin + aspath4 + nexthop)[:-2],
    "flags-wrong": attr(0xC0, 1, b"\x00") + aspath4 + nexthop,
    "communities-3": origin + aspath4 + nexthop + attr(0xC0, 8, bytes(3)),
}
for folder, table in (("FuzzBGPMessage", messages), ("FuzzBGPAttributes", attribute_lists)):
    os.makedirs(os.path.join(here, "Corpus", folder), exist_ok=True)
    for name, data in table.items():
        with open(os.path.join(here, "Corpus", folder, name), "wb") as f:
            f.write(data)
