#!/usr/bin/env python3
"""Ranks the third parties that real privacy policies name, and shows which of them the SDK
signatures do not resolve.

usage: policy_sdk_census.py BIN [POLICY_OR_DIR ...] [--markdown OUT.md] [--min 2]

For every policy text (NNNN.txt in each folder, or a file), runs
`BIN policy extract FILE -o <tmp>.toml` and reads its [[share]] entries: the SDK-list records
and the companies named in sharing clauses become entries with a `name`. A name counts once
per policy. As a cross-check that does not depend on the extractor's list parser, the script
also counts the values written after "SDK名称：" / "第三方SDK名称：" labels in the raw text and
reports how many of those the drafts name.

Prints (or writes as Markdown) the names ranked by the number of policies that name them, with
the party the draft gave (`sdk:<id>` when a signature matched, `third-party` when none did).
"""
import argparse, collections, glob, os, re, subprocess, sys, tempfile, tomllib

LABEL = re.compile(r"(?:第三方)?SDK\s*名称\s*[:：]")
# Where a name value ends: the next field's label word, a sentence end, a blank line.
STOP = re.compile(r"公司|使用|收集|官网|所属|开发者|第三方主体|信息类型|共享|用途|隐私|[。；;]|\n\s*\n")


def label_values(text):
    """The names after each "SDK名称：" label, split on 、 and commas outside brackets."""
    out = set()
    for m in LABEL.finditer(text):
        rest = text[m.end():m.end() + 200]
        stop = STOP.search(rest)
        value = rest[:stop.start()] if stop else rest
        depth, cur, parts = 0, "", []
        for c in value:
            depth += c in "（(" ; depth -= c in "）)"
            if c in "、，," and depth <= 0:
                parts.append(cur); cur = ""
            else:
                cur += c
        parts.append(cur)
        out |= {key(p) for p in parts if key(p).strip("，,")}
    return out


def key(name):
    """Folds spellings of one name together: case, spaces, a trailing SDK."""
    k = re.sub(r"\s+", "", name).lower().strip("，,。")
    k = re.sub(r"(sdk|软件开发工具包)$", "", k)
    return k or name


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            yield from sorted(glob.glob(os.path.join(p, "*.txt")))
        else:
            yield p


def run(binary, path, tmp):
    out = os.path.join(tmp, "draft.toml")
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([binary, "policy", "extract", path, "-o", out],
                       capture_output=True, timeout=120)
    if r.returncode != 0 or not os.path.exists(out):
        print(f"{path}: extract failed: {r.stderr.decode(errors='replace')[:200]}", file=sys.stderr)
        return []
    with open(out, "rb") as f:
        return tomllib.load(f).get("share", [])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--markdown")
    ap.add_argument("--min", type=int, default=2, help="list unresolved names named by at least this many policies")
    a = ap.parse_args()

    named = collections.Counter()        # key -> policies
    spelled = {}                          # key -> first spelling
    parties = collections.defaultdict(collections.Counter)  # key -> party -> policies
    where = collections.defaultdict(list)
    label_total = label_found = 0
    policies = with_list = 0
    per_policy = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files(a.paths):
            policies += 1
            shares = run(a.bin, path, tmp)
            seen = set()
            for s in shares:
                name = s.get("name")
                if not name:
                    continue
                k = key(name)
                if k in seen:
                    continue
                seen.add(k)
                named[k] += 1
                spelled.setdefault(k, name)
                parties[k][s.get("party", "")] += 1
                where[k].append(os.path.basename(path))
            text = open(path, encoding="utf-8", errors="replace").read()
            values = label_values(text)
            if values:
                with_list += 1
                per_policy.append((os.path.basename(path), len(values & seen), len(values),
                                   sorted(values - seen)))
            label_total += len(values)
            label_found += len(values & seen)

    def resolved(k):
        return any(p.startswith("sdk:") for p in parties[k])

    rows = sorted(named, key=lambda k: (-named[k], k))
    lines = []
    lines.append(f"{policies} policies read; {with_list} have \"SDK名称：\" labels, whose {label_total} distinct values "
                 f"the drafts name as entries in {label_found} cases ({100 * label_found / max(label_total, 1):.0f}%).")
    lines.append("")
    lines.append("| policy with an SDK list | listed names that are named entries | not found |")
    lines.append("|---|---:|---|")
    for name, found, total, missing in per_policy:
        lines.append(f"| {name} | {found} of {total} | {', '.join(missing) or '-'} |")
    lines.append("")
    lines.append("| rank | name (first spelling) | policies | party in the draft | example |")
    lines.append("|---:|---|---:|---|---|")
    for i, k in enumerate(rows, 1):
        if named[k] < 2 and i > 60:
            continue
        party = ", ".join(f"{p} ×{n}" for p, n in parties[k].most_common(3))
        lines.append(f"| {i} | {spelled[k]} | {named[k]} | {party} | {where[k][0]} |")
    unresolved = [k for k in rows if not resolved(k) and named[k] >= a.min]
    lines.append("")
    lines.append(f"Unresolved names named by at least {a.min} policies: " +
                 (", ".join(f"{spelled[k]} ({named[k]})" for k in unresolved) or "none"))
    out = "\n".join(lines) + "\n"
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(out)
    else:
        sys.stdout.write(out)


if __name__ == "__main__":
    main()
