"""The vectorised number parser agrees with Python's float() and keeps line structure."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sporttrack_gui.formats.numfmt import format_float32
from sporttrack_gui.formats.numtext import parse_numeric_text

_decimal = st.from_regex(r"[+-]?([0-9]{1,9}(\.[0-9]{0,6})?|\.[0-9]{1,6})", fullmatch=True)
_other = st.sampled_from(["1e3", "-2.5E-2", "nan", "inf", "-inf", "12345678901234567890"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(_decimal, _other), min_size=1, max_size=6), max_size=20),
       st.sampled_from([",", ", ", " ", "\t"]))
def test_matches_python_float(rows, sep):
    data = "\n".join(sep.join(r) for r in rows).encode()
    text = parse_numeric_text(data)
    expected = [float(tok) for r in rows for tok in r]
    np.testing.assert_array_equal(text.values, np.array(expected, np.float64))
    assert text.ncols.tolist() == [len(r) for r in rows]
    assert len(text.bad_tokens) == 0


def test_line_numbers_skip_blank_lines_and_flag_garbage():
    text = parse_numeric_text(b"\xef\xbb\xbf1,2\n\n  \n3 x4 5\r\n-.5,1.2.3,--1,+7")
    assert text.line_no.tolist() == [1, 4, 5]
    assert text.ncols.tolist() == [2, 3, 4]
    assert text.bad_text == ("x4", "1.2.3", "--1")
    assert text.bad_token_lines().tolist() == [[1, 1], [2, 1], [2, 2]]
    assert text.values[[0, 1, 2, 4, 5, 8]].tolist() == [1, 2, 3, 5, -0.5, 7]


def test_chunk_boundaries_do_not_split_lines(monkeypatch):
    from sporttrack_gui.formats import numtext

    monkeypatch.setattr(numtext, "_CHUNK_BYTES", 7)
    lines = [f"{i},{i * 0.5},{-i}" for i in range(1, 200)]
    text = parse_numeric_text("\n".join(lines).encode())
    assert text.ncols.tolist() == [3] * 199 and text.line_no.tolist() == list(range(1, 200))
    np.testing.assert_array_equal(text.rows(np.arange(199), 3)[:, 1], np.arange(1, 200) * 0.5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e7, 1e7, width=32, allow_nan=False), min_size=1, max_size=50))
def test_shortest_float32_text_reads_back_exactly(values):
    v = np.array(values, np.float32)
    text = format_float32(v)
    assert np.array_equal(np.array([float(s) for s in text], np.float32), v)
    parsed = parse_numeric_text(" ".join(text).encode()).values.astype(np.float32)
    assert np.array_equal(parsed, v)
    assert all("." not in s for s, x in zip(text, v, strict=True) if float(x).is_integer())


def _random_tokens(rng: random.Random, n: int, max_digits: int) -> list[str]:
    """Plain decimals of every shape the fast paths handle: signs, leading/trailing dots."""
    out = []
    for _ in range(n):
        whole = "".join(rng.choices("0123456789", k=rng.randint(0, max_digits)))
        frac = "".join(rng.choices("0123456789", k=rng.randint(0, max_digits - len(whole))))
        tok = whole + ("." + frac if frac or (whole and rng.random() < 0.2) else "")
        tok = tok if any(c.isdigit() for c in tok) else "7"
        out.append(rng.choice(["", "", "-", "+"]) + tok)
    return out


@pytest.mark.parametrize(("max_digits", "word_path_only"), [(7, True), (15, False)])
def test_random_tokens_match_python_float(monkeypatch, max_digits, word_path_only):
    from sporttrack_gui.formats import numtext

    if word_path_only:  # <= 8 bytes of digits and dot must never need the general path
        def forbidden(*_args):
            raise AssertionError("general path used for short tokens")
        monkeypatch.setattr(numtext, "_values_general", forbidden)
    monkeypatch.setattr(numtext, "_CHUNK_BYTES", 4096)  # many chunks, many boundaries
    rng = random.Random(max_digits)
    tokens = _random_tokens(rng, 30_000, max_digits)
    lines = [rng.choice([",", ", ", " ", "\t"]).join(tokens[i:i + 6])
             for i in range(0, len(tokens), 6)]
    text = parse_numeric_text("\n".join(lines).encode())
    np.testing.assert_array_equal(text.values, np.array([float(t) for t in tokens]))
    assert text.ncols.tolist() == [6] * len(lines) and len(text.bad_tokens) == 0
