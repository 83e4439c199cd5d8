// The web app's API types (web/src/api) against docs/openapi.yaml: every
// field a type names is a field of its schema, and a field the schema
// requires is not optional in the type. With openapi_responses.test.mjs
// (real answers against the same schemas) the app reads what the server sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import yaml from 'js-yaml';
import { ROOT } from '../lib/server.mjs';

// web type -> the schema it mirrors
const PAIRS = {
  Asset: 'Asset',
  Annotation: 'Annotation',
  BoxObject: 'BoxObject',
  PolygonObject: 'PolygonObject',
  AssetCounts: 'AssetCounts',
  User: 'User',
  ApiToken: 'Token',
  Member: 'Member',
  Project: 'Project',
  ProjectEvent: 'ProjectEvent',
  Category: 'Category',
  Stats: 'Stats',
  BulkResult: 'BulkResult',
  HistoryEntry: 'AnnotationChange',
  ExportVersion: 'Export',
  SelectionCounts: 'SelectionCounts',
  Video: 'Video',
  Model: 'Model',
  ModelInput: 'ModelInput',
  ModelMetadata: 'ModelMetadata',
  Suggestion: 'Suggestion',
  SuggestionOutcomes: 'SuggestionOutcomes',
  SuggestionStats: 'SuggestionStats',
  ModelRun: 'ModelRun',
  Import: 'Import',
};

async function webTypes() {
  const dir = join(ROOT, 'web', 'src', 'api');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(dir, f));
  const program = ts.createProgram(files, { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const out = new Map();
  for (const f of files) {
    const sf = program.getSourceFile(f);
    ts.forEachChild(sf, (node) => {
      if (!(ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) || !(node.name.text in PAIRS)) return;
      const type = checker.getTypeAtLocation(node.name);
      const props = new Map();
      for (const p of checker.getPropertiesOfType(type)) props.set(p.name, (p.flags & ts.SymbolFlags.Optional) !== 0);
      out.set(node.name.text, props);
    });
  }
  return out;
}

function schemaFields(doc, name) {
  const s = doc.components.schemas[name];
  assert.ok(s?.properties, `components.schemas.${name} has no properties`);
  return { names: new Set(Object.keys(s.properties)), required: new Set(s.required ?? []) };
}

test('the web API types name only documented fields, and never make a required one optional', async () => {
  const doc = yaml.load(await readFile(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
  const types = await webTypes();
  const problems = [];
  for (const [typeName, schemaName] of Object.entries(PAIRS)) {
    const props = types.get(typeName);
    if (!props) {
      problems.push(`web/src/api has no type ${typeName}`);
      continue;
    }
    const { names, required } = schemaFields(doc, schemaName);
    for (const [field, optional] of props) {
      if (!names.has(field)) problems.push(`${typeName}.${field} is not a field of ${schemaName}`);
      else if (optional && required.has(field)) problems.push(`${typeName}.${field} is optional but ${schemaName} requires it`);
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(types.size, Object.keys(PAIRS).length);
});
