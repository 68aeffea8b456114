/**
 * The recursive SQL that answers aithreat's path questions inside PostgreSQL, over the tables of
 * `postgres.ts`. One definition feeds `queries.sql` in the export, the tests that run it against a
 * real server (test/db/), and docs/scale.md (a test checks the document quotes every query verbatim).
 *
 * PostgreSQL's recursive CTEs see only the previous round's rows and forbid aggregates over them, so
 * a search cannot ask "have I been here, and at what distance?" of earlier rounds. The shortest-path
 * queries therefore carry their whole state in each round, as arrays in one row per entry class: the
 * distance table and the frontier. A round unnests them (aggregates over an unnested column are
 * allowed), relaxes the steps out of the frontier and aggregates the new state back. That costs
 * O(rounds x reached components); a row per (class, component) with a window function to keep the
 * best was measured 3x slower at 10k components. Reachability needs no state: `UNION` drops rows seen
 * in any earlier round. The results are materialised once, at load time.
 */

/**
 * One Bellman-Ford round of the shortest-path queries (see the header): the steps out of the
 * frontier relaxed from their `from` end to their `to` end with `weight`, keeping what beats the
 * distance table. The way in runs src -> dst on `weight`, the way out dst -> src on `exfil_weight`.
 */
function relaxRound(from: "src" | "dst", to: "src" | "dst", weight: "weight" | "exfil_weight"): string {
  return `  FROM bf b CROSS JOIN LATERAL (
    SELECT array_agg(m.node) AS node, array_agg(m.dist) AS dist,
           array_agg(m.hops) AS hops, array_agg(m.via) AS via,
           coalesce(array_agg(m.node) FILTER (WHERE m.better), '{}') AS fnode,
           coalesce(array_agg(m.dist) FILTER (WHERE m.better), '{}') AS fdist,
           coalesce(array_agg(m.hops) FILTER (WHERE m.better), '{}') AS fhops
    FROM (
      SELECT coalesce(o.node, c.node) AS node, w.better,
             CASE WHEN w.better THEN c.dist ELSE o.dist END AS dist,
             CASE WHEN w.better THEN c.hops ELSE o.hops END AS hops,
             CASE WHEN w.better THEN c.via ELSE o.via END AS via
      FROM unnest(b.node, b.dist, b.hops, b.via) AS o(node, dist, hops, via)
      FULL JOIN (
        SELECT DISTINCT ON (s.${to}) s.${to} AS node, f.dist + s.${weight} AS dist,
               f.hops + 1 AS hops, s.id AS via
        FROM unnest(b.fnode, b.fdist, b.fhops) AS f(node, dist, hops)
        JOIN step s ON s.${from} = f.node
        WHERE s.${weight} IS NOT NULL
        ORDER BY s.${to}, f.dist + s.${weight}, f.hops + 1, s.id
      ) c ON c.node = o.node
      CROSS JOIN LATERAL (
        SELECT c.node IS NOT NULL
               AND (o.node IS NULL OR (c.dist, c.hops) < (o.dist, o.hops)) AS better
      ) w
    ) m
  ) nx
  WHERE cardinality(b.fnode) > 0`;
}

/** One documented query: the statement that creates it, and what it answers. */
export interface PgQuery {
  readonly name: string;
  readonly doc: string;
  readonly sql: string;
}

/** The queries in creation order (later ones read earlier ones). */
export const PG_QUERIES: readonly PgQuery[] = [
  {
    name: "way_out",
    doc: "Components whose data can reach an observable sink (the second leg of a disclosure): the sinks, and everything with a path of way-out steps (`exfil_weight` set) to one.",
    sql: `CREATE VIEW way_out AS
WITH RECURSIVE w(component) AS (
  SELECT id FROM component WHERE sink
  UNION
  SELECT s.src FROM w JOIN step s ON s.dst = w.component
  WHERE s.exfil_weight IS NOT NULL
)
SELECT component FROM w;`,
  },
  {
    name: "attack_target",
    doc: "Where an attack on each crown-jewel property succeeds: the exported targets, keeping a disclosure's readers only when they have a way out.",
    sql: `CREATE VIEW attack_target AS
SELECT t.crown, t.component, t.turned
FROM target t JOIN crown c ON c.id = t.crown
WHERE c.property <> 'confidentiality'
UNION ALL
SELECT t.crown, t.component, t.turned
FROM target t JOIN crown c ON c.id = t.crown
JOIN way_out w ON w.component = t.component
WHERE c.property = 'confidentiality';`,
  },
  {
    name: "target_arrival",
    doc: "Where the way in to each target ends: at the target itself, or, for a reader that only a step turns (`turned`), at the start of each usable step that turns it (`turns`), with that step, its weight and one hop. The searches below run to `node`; a turned reader's way in then takes `step`.",
    sql: `CREATE VIEW target_arrival AS
SELECT t.crown, t.component, t.component AS node, NULL::integer AS step, 0::float8 AS weight, 0 AS hops
FROM attack_target t
WHERE NOT t.turned
UNION ALL
SELECT t.crown, t.component, s.src, s.id, s.weight, 1
FROM attack_target t JOIN step s ON s.dst = t.component
WHERE t.turned AND s.turns AND s.weight IS NOT NULL;`,
  },
  {
    name: "reachability",
    doc: "Every (crown-jewel property, entry) pair where the entry reaches a target over usable steps (`weight` set; a step a declared control cuts has none). A backward search from where the way in to the targets ends (`target_arrival`); `UNION` keeps each (crown, component) once, so it is linear per target.",
    sql: `CREATE MATERIALIZED VIEW reachability AS
WITH RECURSIVE back(crown, component) AS (
  SELECT crown, node FROM target_arrival
  UNION
  SELECT b.crown, s.src FROM back b JOIN step s ON s.dst = b.component
  WHERE s.weight IS NOT NULL
)
SELECT b.crown, b.component AS entry
FROM back b JOIN component c ON c.id = b.component
WHERE c.entry;`,
  },
  {
    name: "influence_distance",
    doc: "The most likely way in, per entry class and component: `dist` is the smallest sum of step weights (-ln likelihood) from an entry of the class, `hops` the steps on that path (ties go to fewer steps), `via` its last step. Bellman-Ford rounds: the distance table and the frontier (what changed last round) travel as arrays, one row per entry class; a round relaxes the usable steps out of the frontier, keeps what beats the table, and stops when nothing does.",
    sql: `CREATE MATERIALIZED VIEW influence_distance AS
WITH RECURSIVE bf(entry_class, round, node, dist, hops, via, fnode, fdist, fhops) AS (
  SELECT entry_class, 0,
         array_agg(component), array_agg(0::float8), array_agg(0), array_agg(NULL::integer),
         array_agg(component), array_agg(0::float8), array_agg(0)
  FROM entry GROUP BY entry_class
  UNION ALL
  SELECT b.entry_class, b.round + 1, nx.node, nx.dist, nx.hops, nx.via, nx.fnode, nx.fdist, nx.fhops
${relaxRound("src", "dst", "weight")}
)
SELECT f.entry_class, u.component, u.dist, u.hops, u.via
FROM (SELECT DISTINCT ON (entry_class) * FROM bf ORDER BY entry_class, round DESC) f,
     unnest(f.node, f.dist, f.hops, f.via) AS u(component, dist, hops, via);`,
  },
  {
    name: "exfil_distance",
    doc: "The most likely way out, per component: the smallest sum of way-out weights (`exfil_weight`, over every step, including those cut for influence) to an observable sink, the steps on it, and its first step. The same rounds, backward from the sinks.",
    sql: `CREATE MATERIALIZED VIEW exfil_distance AS
WITH RECURSIVE bf(round, node, dist, hops, via, fnode, fdist, fhops) AS (
  SELECT 0,
         array_agg(id), array_agg(0::float8), array_agg(0), array_agg(NULL::integer),
         array_agg(id), array_agg(0::float8), array_agg(0)
  FROM component WHERE sink HAVING count(*) > 0
  UNION ALL
  SELECT b.round + 1, nx.node, nx.dist, nx.hops, nx.via, nx.fnode, nx.fdist, nx.fhops
${relaxRound("dst", "src", "exfil_weight")}
)
SELECT u.component, u.dist, u.hops, u.via
FROM (SELECT * FROM bf ORDER BY round DESC LIMIT 1) f,
     unnest(f.node, f.dist, f.hops, f.via) AS u(component, dist, hops, via);`,
  },
  {
    name: "fewest_steps",
    doc: "The shortest way in counted in steps, per entry class and component, with the step it was first reached by: a breadth-first search, one row per class and depth holding the frontier and everything seen so far as arrays, so a component is reached once, at its depth.",
    sql: `CREATE MATERIALIZED VIEW fewest_steps AS
WITH RECURSIVE bfs(entry_class, hops, frontier, via, seen) AS (
  SELECT entry_class, 0, array_agg(component ORDER BY component),
         array_agg(NULL::integer), array_agg(component)
  FROM entry GROUP BY entry_class
  UNION ALL
  SELECT b.entry_class, b.hops + 1, nx.frontier, nx.via, b.seen || nx.frontier
  FROM bfs b CROSS JOIN LATERAL (
    SELECT array_agg(x.dst ORDER BY x.dst) AS frontier, array_agg(x.via ORDER BY x.dst) AS via
    FROM (
      SELECT DISTINCT ON (s.dst) s.dst, s.id AS via
      FROM unnest(b.frontier) AS f(node) JOIN step s ON s.src = f.node
      WHERE s.weight IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM unnest(b.seen) AS k(node) WHERE k.node = s.dst)
      ORDER BY s.dst, s.id
    ) x
  ) nx
  WHERE nx.frontier IS NOT NULL
)
SELECT b.entry_class, u.component, b.hops, u.via
FROM bfs b, unnest(b.frontier, b.via) AS u(component, via);`,
  },
  {
    name: "exposure_matrix",
    doc: "aithreat's exposure matrix: per crown-jewel property and entry class, how many entries reach it, the likelihood of the most likely path (for a disclosure: way in times way out; a turned reader's way in ends with a step that turns it), the steps on it, and the fewest steps of any way in (to a target, without the way out).",
    sql: `CREATE VIEW exposure_matrix AS
WITH classes(entry_class) AS (
  VALUES ('user_input'), ('external_data'), ('tool_output'), ('supply_chain')
),
counts AS (
  SELECT r.crown, e.entry_class, count(*) AS entries
  FROM reachability r JOIN entry e ON e.component = r.entry
  GROUP BY r.crown, e.entry_class
),
best AS (
  SELECT DISTINCT ON (a.crown, d.entry_class)
         a.crown, d.entry_class,
         d.dist + a.weight + coalesce(x.dist, 0) AS dist, d.hops + a.hops + coalesce(x.hops, 0) AS hops
  FROM target_arrival a
  JOIN crown c ON c.id = a.crown
  JOIN influence_distance d ON d.component = a.node
  LEFT JOIN exfil_distance x ON x.component = a.component AND c.property = 'confidentiality'
  ORDER BY a.crown, d.entry_class, d.dist + a.weight + coalesce(x.dist, 0), d.hops + a.hops + coalesce(x.hops, 0)
),
fewest AS (
  SELECT a.crown, f.entry_class, min(f.hops + a.hops) AS hops
  FROM target_arrival a JOIN fewest_steps f ON f.component = a.node
  GROUP BY a.crown, f.entry_class
)
SELECT c.id AS crown, c.name, c.subject, c.property, k.entry_class,
       coalesce(n.entries, 0) > 0 AS reachable,
       coalesce(n.entries, 0) AS entries,
       coalesce(exp(-b.dist), 0) AS likelihood,
       b.dist AS dist,
       coalesce(b.hops, 0) AS steps,
       w.hops AS fewest_steps_in
FROM crown c CROSS JOIN classes k
LEFT JOIN counts n ON n.crown = c.id AND n.entry_class = k.entry_class
LEFT JOIN best b ON b.crown = c.id AND b.entry_class = k.entry_class
LEFT JOIN fewest w ON w.crown = c.id AND w.entry_class = k.entry_class;`,
  },
  {
    name: "attack_path",
    doc: "The most likely attack path on one crown-jewel property from one entry class, step by step: walks `influence_distance` back from the best target (through the step that turns it, for a turned reader) to the entry and, for a disclosure, `exfil_distance` on to the sink. `leg` is `in` or `out`; `n` orders the steps.",
    sql: `CREATE FUNCTION attack_path(crown_name text, cls text)
RETURNS TABLE (leg text, n integer, step integer, src text, dst text, flow text, technique text, likelihood float8)
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
WITH RECURSIVE
goal AS (
  SELECT a.component, a.step, c.property
  FROM target_arrival a
  JOIN crown c ON c.id = a.crown
  JOIN influence_distance d ON d.component = a.node AND d.entry_class = cls
  LEFT JOIN exfil_distance x ON x.component = a.component AND c.property = 'confidentiality'
  WHERE c.name = crown_name
  ORDER BY d.dist + a.weight + coalesce(x.dist, 0), d.hops + a.hops + coalesce(x.hops, 0), a.component, a.step
  LIMIT 1
),
way_in(k, component, via) AS (
  SELECT 0, g.component, coalesce(g.step, d.via)
  FROM goal g LEFT JOIN influence_distance d ON d.component = g.component AND d.entry_class = cls
  UNION ALL
  SELECT w.k + 1, s.src, d.via
  FROM way_in w JOIN step s ON s.id = w.via
  JOIN influence_distance d ON d.component = s.src AND d.entry_class = cls
),
way_out(k, component, via) AS (
  SELECT 0, x.component, x.via
  FROM goal g JOIN exfil_distance x ON x.component = g.component
  WHERE g.property = 'confidentiality'
  UNION ALL
  SELECT o.k + 1, s.dst, x.via
  FROM way_out o JOIN step s ON s.id = o.via
  JOIN exfil_distance x ON x.component = s.dst
),
legs AS (
  SELECT 'in' AS leg, (SELECT max(k) FROM way_in) - k AS n, via AS step, exp(-s.weight) AS likelihood
  FROM way_in JOIN step s ON s.id = way_in.via
  UNION ALL
  SELECT 'out', k + 1, via, exp(-s.exfil_weight)
  FROM way_out JOIN step s ON s.id = way_out.via
)
SELECT l.leg, l.n::integer, l.step, a.name, b.name, f.name, s.technique, l.likelihood
FROM legs l
JOIN step s ON s.id = l.step
JOIN component a ON a.id = s.src
JOIN component b ON b.id = s.dst
JOIN flow f ON f.id = s.flow
ORDER BY l.leg = 'out', l.n;
$$;`,
  },
];
