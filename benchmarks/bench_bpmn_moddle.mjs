// bpmn-moddle's fromXML (the parser of bpmn-js and Camunda Modeler) on each file: median ms after
// warm-up, in one node process. Used by bench_bpmn.py; prints one JSON object {path: ms}.
// Usage: node benchmarks/bench_bpmn_moddle.mjs REPEAT FILE...
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, '..', 'tests', 'oracles', 'bpmn', 'js', 'node_modules', 'bpmn-moddle', 'dist', 'index.js');
const { BpmnModdle } = await import(pathToFileURL(entry).href);

const [repeatText, ...files] = process.argv.slice(2);
const repeat = Number(repeatText);
const moddle = new BpmnModdle();
const result = {};
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
