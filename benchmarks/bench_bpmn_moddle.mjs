// bpmn-moddle's fromXML (the parser of bpmn-js and Camunda Modeler) on each file: median ms after
// warm-up, in one node process. Used by bench_bpmn.py; prints one JSON object {path: ms}.
// Usage: node benchmarks/bench_bpmn_moddle.mjs REPEAT [--all] FILE...
// --all: the files one after another as one task, best of REPEAT after warm-up: {"all": ms}.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, '..', 'tests', 'oracles', 'bpmn', 'js', 'node_modules', 'bpmn-moddle', 'dist', 'index.js');
const { BpmnModdle } = await import(pathToFileURL(entry).href);

const [repeatText, ...rest] = process.argv.slice(2);
const repeat = Number(repeatText);
const all = rest[0] === '--all';
const files = all ? rest.slice(1) : rest;
const moddle = new BpmnModdle();
const result = {};
if (all) {
  const xmls = files.map((file) => readFileSync(file, 'utf8'));
  const once = async () => {
    for (const xml of xmls) {
      try { await moddle.fromXML(xml); } catch (error) { /* not well-formed: counted like lxml's refusal */ }
    }
  };
  for (let i = 0; i < 3; i++) await once();  // warm the JIT
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const start = process.cpuUsage();
    await once();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  console.log(JSON.stringify({ all: best }));
  process.exit(0);
}
for (const file of files) {
  const xml = readFileSync(file, 'utf8');
  for (let i = 0; i < 10; i++) await moddle.fromXML(xml);  // warm the JIT on this file
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const start = process.hrtime.bigint();
    await moddle.fromXML(xml);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  result[file] = times[Math.floor(times.length / 2)];
}
console.log(JSON.stringify(result));
