/**
 * The starter model `aithreat init` writes: a small, complete system whose comments teach the main
 * constructs. It must check clean (test/cli/init.test.ts holds it to that), so a new user's first
 * `aithreat check` succeeds and every later diagnostic is about their own edits.
 */

/** Title used for the starter's `system` when the user gives none. */
export const DEFAULT_STARTER_TITLE = "My AI system";

/** Escapes text for a double-quoted `.aithreat` string. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The starter model's text, with the given system title. */
export function starterModel(title: string = DEFAULT_STARTER_TITLE): string {
  return `// An aithreat model: describe an AI system and let \`aithreat\` find the threats to it.
// This starter describes a small support chatbot. Edit it to describe your own system, then run:
//
//     aithreat check model.aithreat
//
// Names (the identifiers after a keyword) are global across all files of a model; titles in quotes
// are free text. Comments start with // or sit between /* and */.

// One \`system\` per file: what the model describes and who answers for it.
system ${quote(title)} {
  owner "my-team"
  version "0.1.0"
  description "A chatbot that answers customer questions from our help articles."
}

// ---- Data ------------------------------------------------------------------------------------
// Data assets are declared once and then named where they are stored (\`holds\`) or moved
// (\`carries\`). \`classification\` is one of public, internal, confidential, personal, sensitive,
// secret. \`crown\` marks a crown jewel and says which property matters: confidentiality,
// integrity or availability.

data customer_pii "Customer personal data" {
  classification personal
  crown confidentiality
  regulated [GDPR]
}
data help_articles "Help articles" { classification public }

// ---- Zones -----------------------------------------------------------------------------------
// Zones group components and give them a trust level: untrusted, public, partner, internal or
// restricted. Top-level zones need \`trust\`; nested zones inherit it unless they set their own.
// Attackers start in untrusted and public zones.

zone internet "Public internet" {
  trust untrusted
  // Components: <kind> <name> "Title" { properties }. Kinds: actor, source, dataset, store,
  // pipeline, model, endpoint, vectorstore, template, agent, tool, mcp_server, provider,
  // guardrail, app, registry. Each kind has its own typed properties.
  actor customer "Customer" { role customer  authenticated false }
}

zone saas "LLM provider" {
  trust partner
  provider llm "Hosted LLM API" {
    type llm_api
    retention none
    trains_on_inputs false
    controls [vendor_agreement]
  }
}

zone prod "Production" {
  trust internal

  app widget "Chat widget" {
    renders markdown // markdown can load remote images: a classic exfiltration channel
    exposure public
    auth none
  }
  agent assistant "Support assistant" {
    autonomy step
    memory session
    // \`controls\` lists what is in place: built-in controls (listed in docs/language.md) or
    // your own \`control\` declarations (see the end of this file).
    controls [spotlighting]
  }
  tool order_lookup "Order lookup" { capabilities [read] }

  zone data_tier "Data" {
    trust restricted
    store orders "Orders database" {
      type database
      encrypted true
      holds [customer_pii]
    }
    vectorstore kb "Help-article index" { holds [help_articles]  access_control none }
  }
}

// A component can also be placed with \`in\` instead of being written inside the zone.
source help_center "Help-centre CMS" in prod { type documents  holds [help_articles] }

// ---- Crown jewels ------------------------------------------------------------------------------
// Besides \`crown\` inside a declaration, \`asset\` marks any component or data asset.
asset kb crown integrity

// ---- Flows -----------------------------------------------------------------------------------
// flow <from> -> <to> "title" { kind ... }. The kind gives the flow its meaning (prompt, request,
// response, retrieve, ingest, train, produce, publish, deploy, load, serve, invoke, delegate, copy,
// read, write, feedback, label, log, send) and must fit the two component kinds. Two flows between
// the same pair need names: \`flow reply: a -> b { ... }\`.

flow customer -> widget "chat" { kind prompt  encrypted true }
flow widget -> assistant "question" { kind prompt }
flow assistant -> llm "completion request" {
  kind prompt
  auth api_key
  encrypted true
  carries [customer_pii]
}
flow llm -> assistant "completion" { kind serve }
flow kb -> assistant "retrieve articles" { kind retrieve  carries [help_articles] }
flow help_center -> kb "index articles" { kind ingest  controls [article_review] }
flow assistant -> order_lookup "look up order" { kind invoke }
flow orders -> order_lookup "order rows" {
  kind read
  carries [customer_pii]
  controls [least_privilege]
}
flow order_lookup -> assistant "order status" { kind response  carries [customer_pii] }
flow assistant -> widget "answer" { kind response }
flow widget -> customer "rendered answer" { kind response }

// ---- Your own controls -----------------------------------------------------------------------
// Declare controls the built-in catalog lacks; \`atlas\` names the MITRE ATLAS mitigations they
// implement and \`cost\` (default 5) feeds the cheapest-fix analysis.
control article_review "Editorial review of help articles" {
  description "Every article change is reviewed by a second editor before it is published."
  atlas [AML.M0025]
  cost 2
}

// ---- Accepting a risk ------------------------------------------------------------------------
// When a threat is understood and accepted, record who accepted it, why, and until when; an
// expired acceptance counts as open again. Run \`aithreat rules\` for the rule ids, e.g.:
//
//     accept AT-33 on widget { reason "markdown images disabled"  owner "secops"  expires 2027-03-31 }
`;
}
