// Watches breaker.v1.Fleet over gRPC-Web (HTTP/1.1) with Connect for Node:
// one JSON line per update on stdout, then {"ended":"ok"} when the server
// ends the stream, or {"error":CODE,"message":…} when it fails.
//
// usage: node watch.mjs http://127.0.0.1:PORT   (after `buf generate`)

import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { toJson } from "@bufbuild/protobuf";
import { Fleet, FleetUpdateSchema } from "./gen/fleet_pb.js";

const [baseUrl] = process.argv.slice(2);
const transport = createGrpcWebTransport({ baseUrl, httpVersion: "1.1" });
const fleet = createClient(Fleet, transport);
try {
  for await (const update of fleet.watch({})) {
    console.log(JSON.stringify(toJson(FleetUpdateSchema, update)));
  }
  console.log(JSON.stringify({ ended: "ok" }));
} catch (error) {
  console.log(JSON.stringify({ error: error.code, message: error.rawMessage }));
  process.exitCode = 1;
}
