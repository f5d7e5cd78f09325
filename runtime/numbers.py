"""Numbers said aloud: "twenty one point five" -> 21.5, the last number in a request, and sums ("what's
15 times 12"). Pure functions over words, as a transcript has them."""

from __future__ import annotations

import operator
import re

from runtime.rank import normalize


def _split(text: str) -> list[str]:
    return text.split()


NUMBER_WORDS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        _split(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen"
        )
    )
}
NUMBER_WORDS.update({"a": 1, "an": 1, "oh": 0})
TENS = {
    w: 10 * (i + 2) for i, w in enumerate(_split("twenty thirty forty fifty sixty seventy eighty ninety"))
}
SCALES = {"hundred": 100, "thousand": 1000}
UNIT_WORDS = frozenset(
    _split(
        "percent per cent degrees degree celsius centigrade fahrenheit seconds second minutes minute hours "
        "hour and of"
    )
)


# "the twenty fifth", "the 3rd": a day of the month said
ORDINAL_WORDS = {
    w: i + 1
    for i, w in enumerate(
        _split(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
        )
    )
}
ORDINAL_WORDS.update({"twentieth": 20, "thirtieth": 30})


def ordinal(text: str) -> int | None:
    """ "25th", "25", "twenty fifth", "thirty first", "third" -> the number; else None."""
    words = text.replace("-", " ").split()
    if len(words) == 1 and (said := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", words[0])):
        return int(said[1])
    if len(words) == 1:
        return ORDINAL_WORDS.get(words[0])
    if len(words) == 2 and words[0] in TENS and words[1] in ORDINAL_WORDS and ORDINAL_WORDS[words[1]] < 10:
        return TENS[words[0]] + ORDINAL_WORDS[words[1]]
    return None


def parse_number(text: str | None) -> float | None:
    """ "50", "50%", "21.5 degrees", "fifty", "twenty-one point five", "a hundred" -> number; else None."""
    if text is None:
        return None
    if re.fullmatch(r"\s*-\d{1,12}(\.\d{1,6})?\s*", text):  # "-5": a hyphen is a minus only here
        return float(text)
    t = text.lower().replace("-", " ").replace("%", " percent ").replace("°", " degrees ")
    words = [w for w in re.split(r"[\s,]+", t) if w and w not in UNIT_WORDS]
    if not words:
        return None
    if words[0] in ("minus", "negative"):
        rest = parse_number(" ".join(words[1:]))
        return -rest if rest is not None else None
    if len(words) == 1 and re.fullmatch(r"\d{1,12}(\.\d{1,6})?", words[0]):
        return float(words[0])
    if "point" in words:  # "twenty one point five"
        i = words.index("point")
        whole = number_words(words[:i]) if words[:i] else 0
        digits = words[i + 1 :]
        if whole is None or not digits or any(w not in NUMBER_WORDS or NUMBER_WORDS[w] > 9 for w in digits):
            return None
        return whole + float("0." + "".join(str(NUMBER_WORDS[w]) for w in digits))
    value = number_words(words)
    return float(value) if value is not None else None


def digits(word: str) -> bool:
    return word.isascii() and word.isdigit()  # "¹" is a digit to str.isdigit, not to int()


def number_words(words: list[str]) -> int | None:
    """ "twenty one" -> 21, "a hundred and five"'s words -> 105; None for words that are no one
    number: "one seven" and "five six" were summed (8, 11), so "no, one seven" set an 8-minute timer."""
    total, current, seen = 0, 0, False
    last = ""  # the kind of the word before: "ones" (0-9), "teen" (10-19), "tens", "digits", else none
    for w in words:
        # "oh" as in "seven oh five" (7:05) takes a ones word after it, as a tens word does
        kind = "tens" if w in TENS or w == "oh" else ("ones" if NUMBER_WORDS.get(w, 10) < 10 else "teen")
        kind = "digits" if digits(w) else kind
        if w in NUMBER_WORDS or w in TENS or kind == "digits":
            # a word after a ones, teens or digits word, a tens word after a tens word, or digits after
            # any of them, makes no number ("70 17" is two)
            if last in ("ones", "teen", "digits") or (last == "tens" and kind != "ones"):
                return None
            last = kind
        else:
            last = ""
        if digits(w) and len(w) <= 12:
            current += int(w)
        elif w in NUMBER_WORDS:
            current += NUMBER_WORDS[w]
        elif w in TENS:
            current += TENS[w]
        elif w in SCALES:
            current = max(current, 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def is_number_word(w: str) -> bool:
    """Is `w` a word of a number ("seventeen", "twenty", "hundred", "17"; not "a")?"""
    return w in NUMBER_WORDS and w not in ("a", "an", "oh") or w in TENS or w in SCALES or digits(w)


def number_in_text(text: str) -> float | None:
    """The last number said in `text` ("set the lamp to fifty percent" -> 50), or None."""
    words = normalize(text).replace("%", " ").split()
    runs: list[list[str]] = [[]]
    for w in words:
        if is_number_word(w):
            runs[-1].append(w)
        elif runs[-1]:
            runs.append([])
    found = [r for r in runs if r]
    return parse_number(" ".join(found[-1])) if found else None


# "what's 15 times 12", "what is a hundred divided by four", "20 percent of 80": out of domain for the model
OPERATIONS = {"plus": "+", "minus": "-", "times": "*", "multiplied by": "*", "x": "*", "divided by": "/", "over": "/",
              "percent of": "%", "to the power of": "^"}  # fmt: skip
SUM = re.compile(
    r"(?:what's|whats|what is|how much is|calculate|compute|what does) (?P<a>[a-z\d. ]+?) "
    rf"(?P<op>{'|'.join(OPERATIONS)}) (?P<b>[a-z\d. ]+?)(?: equal| make| equals| is)?"
)
OPERATION = re.compile(rf" ({'|'.join(OPERATIONS)}) ")
# the order of operations: powers, then products and quotients, then sums
PRECEDENCE = ({"^"}, {"*", "/", "%"}, {"+", "-"})
APPLY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
         "%": lambda x, y: x * y / 100, "^": operator.pow}  # fmt: skip


def evaluate(numbers: list[float], ops: list[str]) -> float:
    """`numbers[0] ops[0] numbers[1] ...` in the order of operations ("2 plus 2 times 3" is 8).
    Raises ZeroDivisionError and OverflowError."""
    numbers, ops = list(numbers), list(ops)
    for level in PRECEDENCE:
        i = len(ops) - 1 if level == {"^"} else 0  # powers from the right: 2^3^2 is 2^9
        while 0 <= i < len(ops):
            if ops[i] in level:
                numbers[i : i + 2] = [APPLY[ops[i]](numbers[i], numbers[i + 1])]
                del ops[i]
                i = i - 1 if level == {"^"} else i
            else:
                i += -1 if level == {"^"} else 1
    return numbers[0]


SYMBOLS = {
    "+": " plus ",
    "*": " times ",
    "×": " times ",
    "/": " divided by ",
    "÷": " divided by ",
    " - ": " minus ",
}


def _said(value: float) -> str:
    """180.0 -> "180", 33.333 -> "33.33"."""
    return str(int(value)) if float(value).is_integer() else f"{round(value, 2):g}"


# "what's the square root of 16", "what is 12 squared": one number's
ROOT_OR_POWER = re.compile(
    r"(?:what's|whats|what is|how much is|calculate) (?:the (?P<root>square|cube) root of (?P<of>[a-z\d. ]+?)"
    r"|(?P<base>[a-z\d. ]+?) (?P<power>squared|cubed))"
)


def calculation(text: str) -> str | None:
    """ "15 times 12 is 180." for a sum said (or typed: "what's 15*12"); None when `text` is none."""
    said = text.lower().strip(" ?!.")
    for symbol, word in SYMBOLS.items():
        said = said.replace(symbol, word)
    said = " ".join(said.replace(",", "").split())
    if (one := ROOT_OR_POWER.fullmatch(said)) is not None:
        return _root_or_power(one)
    found = SUM.fullmatch(said)
    if found is None:
        return None
    # "2 plus 2 times 3": more than one operation ("Sorry" before); each part a number
    parts = OPERATION.split(f"{found['a']} {found['op']} {found['b']}")
    numbers = [parse_number(p) for p in parts[::2]]
    if any(n is None for n in numbers):
        return None
    ops = [OPERATIONS[w] for w in parts[1::2]]
    if any(op == "/" and b == 0 for op, b in zip(ops, numbers[1:], strict=True)):
        return "You can't divide by zero."
    try:
        result = evaluate([n for n in numbers if n is not None], ops)
    except (OverflowError, ZeroDivisionError):  # "0 to the power of minus 1"
        return None
    if not isinstance(result, float | int) or abs(result) >= 1e15:  # a complex root; too long to say
        return None
    values = [n for n in numbers if n is not None]
    words = [("times" if p == "x" else p) if k % 2 else _said(values[k // 2]) for k, p in enumerate(parts)]
    return f"{' '.join(words)} is {_said(result)}."


def _root_or_power(found: re.Match[str]) -> str | None:
    """ "The square root of 16 is 4.", "12 squared is 144."; None for no number or no real root."""
    x = parse_number(found["of"] or found["base"])
    if x is None or (found["root"] == "square" and x < 0):
        return None
    if found["root"]:
        k = 2 if found["root"] == "square" else 3
        root = round(abs(x) ** (1 / k), 9) * (-1 if x < 0 else 1)  # 27 ** (1/3) is 3.0000000000000004
        return f"The {found['root']} root of {_said(x)} is {_said(root)}."
    power = x**2 if found["power"] == "squared" else x**3
    return f"{_said(x)} {found['power']} is {_said(power)}." if abs(power) < 1e15 else None
