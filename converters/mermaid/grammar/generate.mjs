#!/usr/bin/env node
// Dumps the parse tables of Mermaid's own jison parsers (flowchart / swimlane-beta and
// sequenceDiagram) from the installed npm `mermaid` package into JSON, so that the Python reader
// (converters/mermaid/jison.py) lexes and parses exactly as mermaid does.
//
// Usage (from the repository root, after `bash tests/oracles/mermaid/install.sh`):
//   node converters/mermaid/grammar/generate.mjs
// The tables are MIT-licensed Mermaid data (Copyright (c) 2014 - 2022 Knut Sveidqvist); see NOTICE.
import { writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const oracle = join(here, '..', '..', '..', 'tests', 'oracles', 'mermaid');
const require = createRequire(join(oracle, 'package.json'));
const { JSDOM } = await import(require.resolve('jsdom'));
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(require.resolve('mermaid'));
const version = JSON.parse(readFileSync(join(dirname(require.resolve('mermaid')), '..', 'package.json'))).version;
mermaid.initialize({ startOnLoad: false, logLevel: 5 });


// The lexer's actions, one list of operations per rule, read from the generated action function.
// Only the statements below occur in mermaid's flowchart and sequence lexers; any other statement
// stops the generation, so that a new mermaid version cannot change behaviour silently.
function lexerActions(source, count) {
  const body = source.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, ' ');
  const actions = Array.from({ length: count }, () => []);
  const parts = body.split(/\bcase (\d+):/);
  for (let i = 1; i < parts.length; i += 2) {
    const index = Number(parts[i]);
    let code = parts[i + 1].replace(/break;\s*\}?\s*\}?\s*$/, '').replace(/\bbreak;/g, '').trim();
    const ops = [];
    const statements = code.split(';').map((s) => s.trim()).filter(Boolean);
    for (let s of statements) {
      let m;
      s = s.replace(/^\}\s*/, '').trim();
      if (!s || s === '}') continue;
      if ((m = /^(?:if ?\(yy\.lex\.firstGraph\(\)\) ?\{ ?)this\.begin\("([^"]+)"\)\s*\}?$/.exec(s))) ops.push(['begin_if_first_graph', m[1]]);
      else if ((m = /^this\.(?:begin|pushState)\("([^"]+)"\)$/.exec(s))) ops.push(['begin', m[1]]);
      else if (/^this\.popState\(\)$/.test(s)) ops.push(['pop']);
      else if (/^yy_\.yytext ?= ?yy_\.yytext\.trim\(\)$/.test(s)) ops.push(['trim']);
      else if (/^yy_\.yytext ?= ?""$/.test(s)) ops.push(['set_text', '']);
      else if (/^const re = \/\\n\\s\*\/g$/.test(s)) ops.push(['newlines_to_br']);
      else if (/^yy_\.yytext ?= ?yy_\.yytext\.replace\(re, ?"<br\/>"\)$/.test(s)) continue;
      else if ((m = /^return (\d+)$/.exec(s))) ops.push(['return', Number(m[1])]);
      else if ((m = /^return ["']([^"']+)["']$/.exec(s))) ops.push(['return', m[1]]);
      else if (/^var YYSTATE ?= ?YY_START$/.test(s)) continue;
      else throw new Error(`lexer rule ${index}: unknown statement ${JSON.stringify(s)}`);
    }
    actions[index] = ops;
  }
  return actions;
}

function dump(p, name) {
  const lexer = p.lexer;
  const table = p.table.map((state) => {
    const out = {};
    for (const [sym, act] of Object.entries(state)) out[sym] = act;
    return out;
  });
  const data = {
    generated_from: `mermaid ${version}`,
    name,
    symbols: p.symbols_,
    terminals: p.terminals_,
    productions: p.productions_,
    default_actions: p.defaultActions,
    table,
    lexer: {
      rules: lexer.rules.map((r) => ({ source: r.source, flags: r.flags })),
      conditions: lexer.conditions,
      options: lexer.options,
    },
  };
  data.lexer.actions = lexerActions(lexer.performAction.toString(), lexer.rules.length);
  writeFileSync(join(here, `${name}.json`), JSON.stringify(data));
  console.log(`${name}: ${table.length} states, ${lexer.rules.length} lexer rules (mermaid ${version})`);
}

const flow = await mermaid.mermaidAPI.getDiagramFromText('flowchart LR\nA-->B\n');
dump(flow.parser.parser ?? flow.parser, 'flow');
const seq = await mermaid.mermaidAPI.getDiagramFromText('sequenceDiagram\nA->>B: x\n');
dump(seq.parser.parser ?? seq.parser, 'sequence');
