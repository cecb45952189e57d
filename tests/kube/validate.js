// SPDX-License-Identifier: Apache-2.0
// validate.js - check kubectl trace's manifests against the Kubernetes API schema.
//
// usage: node validate.js NPM_PREFIX FILE.json [FILE.yaml]
// FILE.json is a v1 List (--dry-run -o json).  Every item is validated with kubernetes-models
// (types, required fields, enums, formats) and checked for fields the API does not know
// (with @kubernetes/client-node's type tables), since the schema alone allows unknown ones.
// With FILE.yaml (--dry-run -o yaml), its documents must equal the JSON items.
"use strict";
const fs = require("fs");
const path = require("path");
const prefix = process.argv[2];
const need = (m) => require(path.join(prefix, "node_modules", m));
const models = {
	ConfigMap: need("kubernetes-models/v1/ConfigMap").ConfigMap,
	Job: need("kubernetes-models/batch/v1/Job").Job,
};
const k8s = need("@kubernetes/client-node");
const yaml = need("js-yaml");

// Walk obj against a client-node class; report members the class does not have.
function unknownFields(obj, typeName, where, out) {
	if (obj === null || obj === undefined) return;
	let m = /^Array<(.+)>$/.exec(typeName);
	if (m) {
		obj.forEach((v, i) => unknownFields(v, m[1], `${where}[${i}]`, out));
		return;
	}
	m = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
	if (m) {
		for (const k of Object.keys(obj)) unknownFields(obj[k], m[1], `${where}.${k}`, out);
		return;
	}
	const cls = k8s[typeName];
	if (!cls || typeof cls.getAttributeTypeMap !== "function") return;
	const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
	for (const k of Object.keys(obj)) {
		if (!attrs.has(k)) out.push(`${where}.${k}: unknown field`);
		else unknownFields(obj[k], attrs.get(k), `${where}.${k}`, out);
	}
}

const list = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const errors = [];
if (list.kind !== "List" || !Array.isArray(list.items) || !list.items.length)
	errors.push("not a non-empty v1 List");
for (const item of list.items || []) {
	const where = `${item.kind}/${item.metadata && item.metadata.name}`;
	const Model = models[item.kind];
	if (!Model) {
		errors.push(`${where}: unexpected kind`);
		continue;
	}
	try {
		new Model(item).validate();
	} catch (e) {
		errors.push(`${where}: ${e.message}`);
	}
	unknownFields(item, item.kind === "Job" ? "V1Job" : "V1ConfigMap", where, errors);
}
if (process.argv[4]) {
	const docs = yaml.loadAll(fs.readFileSync(process.argv[4], "utf8"));
	if (JSON.stringify(docs) !== JSON.stringify(list.items))
		errors.push("the YAML documents differ from the JSON items");
}
for (const e of errors) console.error(e);
process.exit(errors.length ? 1 : 0);
