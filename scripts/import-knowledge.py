#!/usr/bin/env python3
"""Derives data/*.json (identifiers and names only) from the workplace's knowledge extracts.

Run once when a source version changes: python3 scripts/import-knowledge.py ../shared/knowledge
Descriptions are never copied: the project writes its own. See data/README.md and NOTICE for sources
and licenses. The output is committed and reviewed in the diff.
"""
import csv, json, sys, os

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/knowledge"
out = os.path.join(os.path.dirname(__file__), "..", "data")

def rows(name):
    with open(os.path.join(src, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))

def split(v):
    return [x.strip() for x in (v or "").split(";") if x.strip()]

def write(name, obj):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False, sort_keys=False)
        f.write("\n")

t2m = {r["technique_id"]: split(r["mitigation_ids"]) for r in rows("atlas_technique_to_mitigations.tsv")}
write("atlas.json", {
    "framework": "MITRE ATLAS",
    "version": "5.6.0",
    "source": "https://github.com/mitre-atlas/atlas-data",
    "license": "Apache-2.0",
    "tactics": [{"id": r["id"], "name": r["name"]} for r in rows("atlas_tactics.tsv")],
    "techniques": [{"id": r["id"], "name": r["name"], "parent": r["parent"] or None, "tactics": split(r["tactics"]),
                    "maturity": r["maturity"] or None, "mitigations": sorted(set(t2m.get(r["id"], [])))}
                   for r in rows("atlas_techniques.tsv")],
    "mitigations": [{"id": r["id"], "name": r["name"]} for r in rows("atlas_mitigations.tsv")],
})

def idlist(name, framework, version, source, license, idkey="id"):
    return {"framework": framework, "version": version, "source": source, "license": license,
            "entries": [{"id": r[idkey], "name": r["name"]} for r in rows(name)]}

# Each entry's own page where its address is known: OWASP's addresses follow no one pattern across
# lists and years, so they are listed (LLM 2025, as the rules' references cite them) or read from the
# extract's source file (ML 2023, whose site renders docs/<file>.md at docs/<file>). An entry without
# one links to its list's page.
LLM2025_PAGES = {
    "LLM01:2025": "llm01-prompt-injection",
    "LLM02:2025": "llm022025-sensitive-information-disclosure",
    "LLM03:2025": "llm032025-supply-chain",
    "LLM04:2025": "llm042025-data-and-model-poisoning",
    "LLM05:2025": "llm052025-improper-output-handling",
    "LLM06:2025": "llm062025-excessive-agency",
    "LLM07:2025": "llm072025-system-prompt-leakage",
    "LLM08:2025": "llm082025-vector-and-embedding-weaknesses",
    "LLM09:2025": "llm092025-misinformation",
    "LLM10:2025": "llm102025-unbounded-consumption",
}
ML2023_SITE = "https://owasp.org/www-project-machine-learning-security-top-10/"

def with_pages(lst, page):
    entries = []
    for e, r in zip(lst["entries"], rows(lst["_file"])):
        url = page(e, r)
        entries.append({**e, "url": url} if url else e)
    lst["entries"] = entries
    del lst["_file"]
    return lst

def llm_page(e, r):
    return "https://genai.owasp.org/llmrisk/" + LLM2025_PAGES[e["id"]] + "/" if e["id"] in LLM2025_PAGES else None

def ml_page(e, r):
    f = r.get("source_file") or ""
    return ML2023_SITE + f[: -len(".md")] if f.startswith("docs/") and f.endswith(".md") else None

write("owasp.json", {
    "llm2025": with_pages({**idlist("owasp_llm_top10_2025.tsv", "OWASP Top 10 for LLM Applications", "2025", "https://genai.owasp.org/llm-top-10/", "CC BY-SA 4.0 (ids and titles only)"), "_file": "owasp_llm_top10_2025.tsv"}, llm_page),
    "ml2023": with_pages({**idlist("owasp_ml_top10_2023.tsv", "OWASP Machine Learning Security Top 10", "2023", ML2023_SITE, "CC BY-SA 4.0 (ids and titles only)"), "_file": "owasp_ml_top10_2023.tsv"}, ml_page),
    "agentic2026": {**idlist("owasp_top10_agentic_2026.tsv", "OWASP Top 10 for Agentic Applications", "2026", "https://genai.owasp.org/", "CC BY-SA 4.0 (ids and titles only)"),
                    "entries": [{"id": r["id"] + ":2026", "name": r["name"]} for r in rows("owasp_top10_agentic_2026.tsv")]},
})
write("nist.json", {"framework": "NIST AI 100-2 E2025 (Adversarial Machine Learning taxonomy)", "version": "E2025",
                    "source": "https://doi.org/10.6028/NIST.AI.100-2e2025", "license": "US Government work",
                    "entries": [{"id": r["id"], "name": r["name"], "kind": r["kind"]} for r in rows("nist_ai_100-2_e2025_ids.tsv")]})
write("cosai.json", {"framework": "CoSAI Risk Map", "version": "2025", "source": "https://github.com/cosai-oasis/secure-ai-tooling", "license": "Apache-2.0",
                     "risks": [{"id": r["id"], "name": r["title"]} for r in rows("cosai_risks.tsv")],
                     "controls": [{"id": r["id"], "name": r["title"]} for r in rows("cosai_controls.tsv")]})
print("wrote", sorted(os.listdir(out)))
