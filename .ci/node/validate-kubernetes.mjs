// Validates every document in the given YAML files against the Kubernetes JSON schemas bundled in
// kubernetes-models (and the Prometheus Operator's, for ServiceMonitor). Catches wrong types and missing
// required fields; prints one line per document and exits non-zero when any is invalid.
//
//   node validate-kubernetes.mjs ../../deploy/kubernetes/*.yaml
import fs from "node:fs";
import yaml from "js-yaml";

async function modelFor(doc) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}`
    : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  return (await import(module))[doc.kind];
}

let failed = false;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8"))) {
    if (!doc) continue;
    const name = `${file}: ${doc.kind} ${doc.metadata && doc.metadata.name}`;
    try {
      const Model = await modelFor(doc);
      if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
      new Model(doc).validate();
      console.log(`valid   ${name}`);
    } catch (e) {
      console.log(`INVALID ${name}: ${e.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
