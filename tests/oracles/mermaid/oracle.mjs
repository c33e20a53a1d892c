#!/usr/bin/env node
// Mermaid's own parser as a test oracle: npm mermaid 11 + jsdom (mermaid's DOMPurify import needs
// a window). One process answers many requests: one JSON object per line on stdin, one JSON
// answer per line on stdout.
//   {"op":"parse","text":"…"}   → {ok, diagramType, direction, title, vertices, edges, subgraphs, …}
//                                  or {ok:false, error, line, column, token, expected}
//   {"op":"tokens","grammar":"flow"|"sequence","text":"…"}  → the lexer's tokens [name, text, loc]
//   {"op":"time","texts":[…],"repeat":N}  → per-text median milliseconds of mermaid.parse + db
//   {"op":"version"}
// Texts that mermaid shows to people are returned as mermaid stores them (HTML, sanitised, with
// its entity placeholders turned back into `&name;` / `&#NN;`); the Python side compares.
import { createInterface } from 'node:readline';
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.Option = dom.window.Option; // sequence boxes test colours with new Option() when window.CSS is missing
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, logLevel: 5 });
const require = createRequire(import.meta.url);
const version = JSON.parse(readFileSync(require.resolve('mermaid/package.json'))).version;

const decode = (t) => (typeof t === 'string'
  ? t.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';') : t);

async function parse(text) {
  const res = {};
  try {
    const r = await mermaid.parse(text);
    res.ok = true;
    res.diagramType = r.diagramType;
    const d = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = d.db;
    res.title = db.getDiagramTitle?.() || undefined;
    if (/^(flowchart|swimlane)/.test(r.diagramType)) {
      res.direction = db.getDirection?.();
      res.vertices = [...db.getVertices().values()].map((v) => ({
        id: v.id, text: decode(v.text), type: v.type ?? null, labelType: v.labelType,
        classes: v.classes, styles: v.styles, link: v.link ?? null,
      }));
      res.edges = db.getEdges().map((e) => ({
        id: e.id, start: e.start, end: e.end, text: decode(e.text), type: e.type, stroke: e.stroke,
        length: e.length, labelType: e.labelType, userId: e.isUserDefinedId, style: e.style ?? null,
        classes: e.classes,
      }));
      res.subgraphs = db.getSubGraphs().map((s) => ({
        id: s.id, title: decode(s.title), nodes: [...s.nodes], dir: s.dir ?? null, classes: s.classes,
      }));
      res.classDefs = [...db.getClasses().values()].map((c) => ({ id: c.id, styles: c.styles }));
    } else if (r.diagramType === 'sequence') {
      res.actors = [...db.getActors().values()].map((a) => ({
        name: a.name, description: decode(a.description), type: a.type,
      }));
      res.actorKeys = db.getActorKeys ? db.getActorKeys() : [...db.getActors().keys()];
      res.messages = db.getMessages().map((m) => ({
        from: m.from ?? null, to: m.to ?? null, message: decode(typeof m.message === 'string' ? m.message : JSON.stringify(m.message)),
        type: m.type, placement: m.placement ?? null,
      }));
      res.created = [...(db.getCreatedActors?.() ?? new Map()).keys()];
      res.destroyed = [...(db.getDestroyedActors?.() ?? new Map()).keys()];
      res.boxes = (db.getBoxes?.() ?? []).map((b) => ({ name: b.name, actorKeys: b.actorKeys }));
    }
  } catch (e) {
    res.ok = false;
    res.error = String(e?.message ?? e).split('\n').slice(0, 4).join(' | ');
    const h = e?.hash;
    if (h) {
      res.token = h.token ?? null;
      res.expected = h.expected ?? null;
      if (h.loc) { res.line = h.loc.first_line; res.column = h.loc.first_column; }
      else if (typeof h.line === 'number') { res.line = h.line + 1; }
    }
  }
  return res;
}

async function tokens(grammar, text) {
  const sample = grammar === 'sequence' ? 'sequenceDiagram\nA->>B: x\n' : 'flowchart LR\nA-->B\n';
  const d = await mermaid.mermaidAPI.getDiagramFromText(sample);
  const p = d.parser.parser ?? d.parser;
  const lexer = Object.create(p.lexer);
  const yy = d.db;
  yy.clear?.();
  lexer.setInput(text, yy);
  const out = [];
  try {
    for (let i = 0; i < 100000; i++) {
      const t = lexer.lex();
      const name = typeof t === 'number' ? (p.terminals_[t] ?? String(t)) : String(t);
      out.push([name, lexer.yytext, [lexer.yylloc.first_line, lexer.yylloc.first_column, lexer.yylloc.last_line, lexer.yylloc.last_column]]);
      if (t === 1 || t === 'EOF') break;
    }
  } catch (e) {
    out.push(['ERROR', String(e.message).split('\n')[0], null]);
  }
  return { ok: true, tokens: out };
}

async function time(texts, repeat) {
  const out = [];
  for (const text of texts) {
    for (let i = 0; i < 3; i++) { try { await mermaid.mermaidAPI.getDiagramFromText(text); } catch {} }
    const runs = [];
    for (let i = 0; i < repeat; i++) {
      const t0 = process.hrtime.bigint();
      try { await mermaid.parse(text); } catch {}
      runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    runs.sort((a, b) => a - b);
    out.push(runs[Math.floor(runs.length / 2)]);
  }
  return { ok: true, ms: out };
}

const rl = createInterface({ input: process.stdin, terminal: false });
for await (const line of rl) {
  if (!line.trim()) continue;
  let answer;
  try {
    const req = JSON.parse(line);
    if (req.op === 'parse') answer = await parse(req.text);
    else if (req.op === 'tokens') answer = await tokens(req.grammar, req.text);
    else if (req.op === 'time') answer = await time(req.texts, req.repeat ?? 20);
    else if (req.op === 'version') answer = { ok: true, version };
    else answer = { ok: false, error: `unknown op ${req.op}` };
  } catch (e) {
    answer = { ok: false, error: `oracle failure: ${e?.message ?? e}` };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
