// Peer for `bench ingest`: parse a WARC file with warcio.js (npm "warcio", the Webrecorder project's reader) and read
// every record's content block fully, as DataPipe's WarcReader does. Two ways its users run it:
//   pako  warcio inflates the gzip members itself (its default, pako: zlib in pure JavaScript)
//   zlib  node's native zlib (createGunzip, which reads concatenated members) is piped in front, and warcio parses
//         the inflated stream
// Prints one JSON line: records, block bytes, wall seconds and CPU seconds of this process
// (process.cpuUsage: user + system of every thread, the zlib worker threads included).
import fs from "node:fs";
import zlib from "node:zlib";
import { WARCParser } from "warcio";

const [file, mode = "pako"] = process.argv.slice(2);
const started = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
let records = 0;
let bytes = 0;
let source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
if (mode === "zlib") {
  source = source.pipe(zlib.createGunzip({ chunkSize: 1 << 20 }));
} else if (mode !== "pako") {
  throw new Error(`unknown mode ${mode} (pako or zlib)`);
}
const parser = new WARCParser(source);
for await (const record of parser) {
  const block = await record.readFully(false);
  bytes += block.length;
  records++;
}
const cpu = process.cpuUsage(cpu0);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ mode, records, bytes, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
