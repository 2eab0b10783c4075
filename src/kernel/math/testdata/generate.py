"""Writes reference.txt: correctly rounded f64 results of the math module's functions at
seeded random arguments, computed with mpmath at 200 bits (float() rounds to nearest).

Run from this directory: python3 generate.py (needs mpmath). Each line is
`name x [y] result`, the doubles as hexadecimal bit patterns.
"""
import math
import random
import struct

import mpmath as mp

mp.mp.prec = 200
rng = random.Random(14)
N = 400


def bits(v):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def loguniform(lo_exp, hi_exp, signed=False):
    v = 2.0 ** rng.uniform(lo_exp, hi_exp)
    return -v if signed and rng.random() < 0.5 else v


def uni(lo, hi):
    return rng.uniform(lo, hi)


def pick(*gens):
    return rng.choice(gens)()


UNARY = {
    "exp": (mp.exp, lambda: pick(lambda: uni(-745, 709.7), lambda: uni(-1, 1), lambda: loguniform(-60, 0, True))),
    "ln": (mp.log, lambda: pick(lambda: loguniform(-1074, 1023), lambda: uni(0.5, 2))),
    "log1p": (mp.log1p, lambda: pick(lambda: loguniform(-60, 60), lambda: uni(-0.999, 1), lambda: loguniform(-60, -1, True))),
    "log10": (mp.log10, lambda: pick(lambda: loguniform(-1074, 1023), lambda: uni(0.5, 2))),
    "sin": (mp.sin, lambda: pick(lambda: uni(-1e6, 1e6), lambda: uni(-10, 10), lambda: loguniform(-30, 0, True))),
    "cos": (mp.cos, lambda: pick(lambda: uni(-1e6, 1e6), lambda: uni(-10, 10), lambda: loguniform(-30, 0, True))),
    "tan": (mp.tan, lambda: pick(lambda: uni(-1e6, 1e6), lambda: uni(-10, 10), lambda: loguniform(-30, 0, True))),
    "asin": (mp.asin, lambda: pick(lambda: uni(-1, 1), lambda: 1 - loguniform(-50, -1), lambda: loguniform(-40, -1, True))),
    "acos": (mp.acos, lambda: pick(lambda: uni(-1, 1), lambda: 1 - loguniform(-50, -1), lambda: -1 + loguniform(-50, -1))),
    "atan": (mp.atan, lambda: pick(lambda: uni(-5, 5), lambda: loguniform(-40, 40, True))),
    "sinh": (mp.sinh, lambda: pick(lambda: uni(-710, 710), lambda: uni(-2, 2), lambda: loguniform(-40, 0, True))),
    "cosh": (mp.cosh, lambda: pick(lambda: uni(-710, 710), lambda: uni(-2, 2), lambda: loguniform(-40, 0, True))),
    "tanh": (mp.tanh, lambda: pick(lambda: uni(-22, 22), lambda: uni(-1, 1), lambda: loguniform(-40, 0, True))),
}


def main():
    lines = []
    for name, (f, gen) in UNARY.items():
        for _ in range(N):
            x = gen()
            lines.append("%s %s %s" % (name, bits(x), bits(float(f(mp.mpf(x))))))
    for _ in range(N):
        y, x = loguniform(-40, 40, True), loguniform(-40, 40, True)
        if rng.random() < 0.5:
            y, x = uni(-3, 3), uni(-3, 3)
        lines.append("atan2 %s %s %s" % (bits(y), bits(x), bits(float(mp.atan2(mp.mpf(y), mp.mpf(x))))))
    while sum(1 for l in lines if l.startswith("pow ")) < N:
        x = pick(lambda: loguniform(-30, 30), lambda: uni(0.5, 2))
        y = pick(lambda: uni(-60, 60), lambda: uni(-1000, 1000), lambda: float(rng.randint(-40, 40)))
        r = mp.power(mp.mpf(x), mp.mpf(y))
        if r > mp.mpf(2) ** -1000 and r < mp.mpf(2) ** 1000:
            lines.append("pow %s %s %s" % (bits(x), bits(y), bits(float(r))))
    with open("reference.txt", "w") as out:
        out.write("\n".join(lines) + "\n")


main()
