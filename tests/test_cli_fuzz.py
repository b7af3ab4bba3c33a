"""Whole-CLI fuzz: every command, through the real entry point (error mapping included), with
mutated policies, incident files, scenarios and packs taken from the bundled examples and the
hostile corpus, and with option values far from sense.

Each run must end in 0, 1, 2 or 3 — never 70 ("internal error") and never a traceback — and a
failed run must leave its `-o` target exactly as it was (pre-created with known bytes) and no
temporary file beside it. Fixed seed and few runs in `make test` (a few seconds); `make fuzz`
raises SLAGEN_FUZZ_EXAMPLES for a long run with a random seed (SLAGEN_FUZZ_SEED to replay one).
"""

from __future__ import annotations

import importlib.util
import os
import random
from pathlib import Path

import pytest

from .conftest import ROOT

HOSTILE = ROOT / "tests/data/hostile"
EXAMPLES = int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", "500"))
RUNS = max(EXAMPLES // 16, 30)
SEED = int(os.environ.get("SLAGEN_FUZZ_SEED", "14" if EXAMPLES <= 500 else str(random.SystemRandom().randrange(10**9))))
KNOWN = b"the previous, signed version\n"


def _corpus() -> dict[str, bytes]:
    spec = importlib.util.spec_from_file_location("make_corpus_cli_fuzz", HOSTILE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.files


CORPUS = _corpus()
POLICIES = [p.read_bytes() for p in sorted(ROOT.glob("policies/*.yaml"))] + [(ROOT / "examples/dingtalk-enterprise.yaml").read_bytes()]
POLICIES += [data for name, data in CORPUS.items() if name.startswith("policy-") and len(data) < 200_000]
INCIDENTS = [(p.suffix, p.read_bytes()) for p in sorted((ROOT / "examples/incidents").iterdir()) if p.is_file()]
INCIDENTS += [(Path(name).suffix, data) for name, data in CORPUS.items() if name.split("-")[0] in ("csv", "json", "yaml", "statuspage", "gcp")]
SCENARIOS = [p.read_bytes() for p in sorted((ROOT / "slagen/scenarios").glob("*.yaml"))]
SCENARIOS += [data for name, data in CORPUS.items() if name.startswith("scenario-")]
PACKS = [data for name, data in CORPUS.items() if name.endswith(".zip")]
TOKENS = [b"{", b"[", b"]", b"}", b",", b'"', b"'", b":", b"\n", b"- ", b"&a ", b"*a", b"!!python/object ", b"24:00", b"9999-12-31",
          b"0000-01-01", b"1e400", b"-1", b"0", b"1e-30", b"99999999999999999999999999", b".nan", b"NaN", b"0s", b"3660d",
          b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x07", "\u2028".encode(), b"\xed\xa0\x80", b"../../../etc/passwd", b"/etc/passwd", b"%s%n{0}",
          "２０２６".encode(), b"\\n", b"\r\n", b"\t"]

PERIODS = ["2026-10", "2026-Q4", "2026-10-31", "2026-13", "0000-01", "9999-12", "10000-01", "1970-01", "2999-12", "x", "", "２０２６-10"]
INSTANTS = ["2026-11-02T00:00:00+00:00", "2026-11-02", "0001-01-01", "9999-12-31T23:59:59-23:59", "1970-01-01T00:00Z",
            "2999-12-31T23:59:59+00:00", "2026-10-15T12:00", "soon", "2026-02-30", "2026-11-02T24:00"]
AMOUNTS = ["0", "10000", "1e15", "999999999999999", "-1", "NaN", "sNaN", "Infinity", "1e-400", "1,000.5", "", "x", "1e999999"]


def mutate(data: bytes, rng: random.Random, gentle: bool = False) -> bytes:
    """A few random edits; `gentle`: at most one number made extreme, so the file mostly still works."""
    out = bytearray(data)
    for _ in range(rng.choice([0, 0, 1]) if gentle else rng.randint(0, 4)):
        at = rng.randrange(len(out) + 1)
        kind = "number" if gentle else rng.choice(["flip", "delete", "insert", "dup", "truncate", "token", "token", "number"])
        if kind == "flip" and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif kind == "delete":
            del out[at: at + rng.randint(1, 40)]
        elif kind == "insert":
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == "dup":
            out[at:at] = out[at: at + rng.randint(1, 300)]
        elif kind == "truncate":
            del out[at:]
        elif kind == "number":  # replace the next number with an extreme one
            digit = next((i for i in range(at, len(out)) if 48 <= out[i] <= 57), None)
            if digit is not None:
                end = digit
                while end < len(out) and (48 <= out[end] <= 57 or out[end] == 46):
                    end += 1
                out[digit:end] = rng.choice([b"0", b"1e400", b"99999999999999999999999999", b"1e-30", b"100.0001", b"-5"])
        else:
            out[at:at] = rng.choice(TOKENS)
    return bytes(out)


def window_options(rng: random.Random, good: bool) -> list[str]:
    if good and rng.random() < 0.7:
        return ["--period", "2026-10", "--as-of", INSTANTS[0]] + (["--on-bad-record", "skip"] if rng.random() < 0.5 else [])
    args = []
    pick = rng.random()
    if pick < 0.6:
        args += ["--period", rng.choice(PERIODS[:3]) if rng.random() < 0.6 else rng.choice(PERIODS)]
    elif pick < 0.75:
        args += ["--from", rng.choice(INSTANTS), "--to", rng.choice(INSTANTS)]
    args += ["--as-of", rng.choice(INSTANTS[:1]) if rng.random() < 0.6 else rng.choice(INSTANTS)]
    if rng.random() < 0.5:
        args += ["--on-bad-record", "skip"]
    if rng.random() < 0.15:
        args += ["--coverage", f"{rng.choice(INSTANTS)}/{rng.choice(INSTANTS)}"]
    if rng.random() < 0.15:
        args += ["--prior-credit", f"2026-09={rng.choice(AMOUNTS)}:{rng.choice(AMOUNTS)}"]
    if rng.random() < 0.1:
        args += ["--input-timezone", rng.choice(["UTC", "Asia/Hong_Kong", "Mars/Olympus", "../../etc/passwd", ""])]
    return args


def one_run(rng: random.Random, tmp: Path, policy_file: Path):
    """(argv, output path or None) for one random command."""
    command = rng.choice(["validate", "evaluate", "evaluate", "report", "clauses", "compare", "compare", "pack", "verify", "schema"])
    policy = tmp / "in" / "policy.yaml"
    # half the runs start from inputs that work, so the writers run too (a pack that works takes
    # seconds: test_pack covers it, the long run here too)
    good = rng.random() < (0.5 if command != "pack" or EXAMPLES > 500 else 0.1)
    policy.write_bytes(mutate(policy_file.read_bytes(), rng, gentle=True) if good else mutate(rng.choice(POLICIES), rng))
    suffix, incidents = INCIDENTS[0] if good else rng.choice(INCIDENTS)
    incident_file = tmp / "in" / f"incidents{suffix}"
    incident_file.write_bytes(mutate(incidents, rng, gentle=good))
    out = tmp / "out" / {"evaluate": "e.json", "report": "r.html", "clauses": "c.md", "compare": "c.md", "pack": "p.zip"}.get(command, "x")
    if command == "validate":
        return ["validate", policy], None
    if command == "schema":
        return ["schema", rng.choice(["policy", "evaluation", "scenario", "nope"])], None
    if command == "verify":
        pack = tmp / "in" / "pack.zip"
        pack.write_bytes(mutate(rng.choice(PACKS), rng))
        return ["verify", pack, *(["--recompute"] if EXAMPLES > 500 and rng.random() < 0.3 else [])], None
    if command == "clauses":
        return ["clauses", policy, "--lang", rng.choice(["en", "zh-Hans", "en+zh-Hans"]), "--format", "md", "-o", out], out
    if command == "compare":
        scenario = tmp / "in" / "scenario.yaml"
        scenario.write_bytes(mutate(rng.choice(SCENARIOS[:7]), rng, gentle=True) if good else mutate(rng.choice(SCENARIOS), rng))
        if rng.random() < 0.3:
            out = out.with_suffix(".csv")
        args = ["compare", policy, ROOT / "policies/slack.yaml", "--scenario", scenario, "-o", out]
        if rng.random() < 0.3:
            args += ["--fee", rng.choice(AMOUNTS)] + (["--currency", rng.choice(["USD", "usd", "€€€", "X" * 50, ""])] if rng.random() < 0.5 else [])
        if rng.random() < 0.2:
            args += ["--loss-per-minute", rng.choice(AMOUNTS)]
        return args, out
    args = [command, policy, "--incidents", incident_file, *window_options(rng, good), "-o", out]
    if command == "report":
        args += ["--format", "html", "--lang", rng.choice(["en", "zh-Hans"])]
    if command == "evaluate":
        args += ["--format", rng.choice(["table", "json"])]
    return args, out


def test_every_command_survives_mutated_input(run_main, tmp_path):
    rng = random.Random(SEED)
    dingtalk = ROOT / "examples/dingtalk-enterprise.yaml"
    if EXAMPLES > 500:  # the long run also mutates a real pack (making one takes seconds)
        real = tmp_path / "real.zip"
        code, _, err = run_main("pack", dingtalk, "--incidents", ROOT / "examples/incidents/dingtalk-2026-10.csv",
                                "--period", "2026-10", "--as-of", INSTANTS[0], "-o", real)
        assert code == 0, err
        PACKS.extend([real.read_bytes()] * 3)
    failures = []
    for i in range(RUNS):
        tmp = tmp_path / str(i)
        (tmp / "in").mkdir(parents=True)
        (tmp / "out").mkdir()
        argv, out = one_run(rng, tmp, dingtalk)
        if out is not None:
            out.write_bytes(KNOWN)
        code, stdout, stderr = run_main(*argv)
        text = stdout + stderr
        what = f"seed {SEED} run {i}: slagen {' '.join(map(str, argv))} -> {code}: {stderr[-400:]}"
        if code not in (0, 1, 2, 3) or "Traceback" in text or "internal error" in text:
            failures.append(what)
            continue
        if out is not None and code in (1, 2):
            if out.read_bytes() != KNOWN:
                failures.append(f"{what} (the -o target was changed by a failed run)")
            if sorted(p.name for p in out.parent.iterdir()) != [out.name]:
                failures.append(f"{what} (left behind: {sorted(p.name for p in out.parent.iterdir())})")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("argv", [
    ["evaluate", "{policy}", "--incidents", "{incidents}", "--period", "9999-12"],
    ["evaluate", "{policy}", "--incidents", "{incidents}", "--as-of", "0001-01-01"],
    ["evaluate", "{policy}", "--incidents", "{incidents}", "--period", "2026-10", "--prior-credit", "x=NaN:NaN"],
    ["compare", "{policy}", "--fee", "NaN"],
    ["compare", "{policy}", "--loss-per-minute", "sNaN"],
])
def test_known_crashes_stay_fixed(argv, run_main):
    """Found by the whole-CLI fuzz (or by hand) before it was in the suite: each ended in exit 70."""
    values = {"policy": str(ROOT / "examples/dingtalk-enterprise.yaml"), "incidents": str(ROOT / "examples/incidents/dingtalk-2026-10.csv")}
    code, out, err = run_main(*[a.format(**values) for a in argv])
    assert code == 2 and "internal error" not in err and "Traceback" not in out + err, err
