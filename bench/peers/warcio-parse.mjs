// Peer for `bench ingest`: parse a WARC file with warcio.js (npm "warcio", the Webrecorder project's reader) and read
// every record's content block fully, as DataPipe's WarcReader does. Prints one JSON line: records, bytes, seconds.
import fs from "node:fs";
import { WARCParser } from "warcio";

const file = process.argv[2];
const started = process.hrtime.bigint();
let records = 0;
let bytes = 0;
const parser = new WARCParser(fs.createReadStream(file, { highWaterMark: 1 << 20 }));
for await (const record of parser) {
  const block = await record.readFully(false);
  bytes += block.length;
  records++;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ records, bytes, seconds }));
