import fc from 'fast-check';
import t from 'tap';
import { KubeError } from './errors.js';
import { deepEqual, type JsonObject, type JsonValue } from './json.js';
import { applyJsonPatch, escapePointerToken } from './patch/json-patch.js';
import { createMergePatch, mergePatch } from './patch/merge.js';
import { strategicMergePatch } from './patch/strategic.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeError) return err.code;
    throw err;
  }
  return undefined;
}

// JSON values without null (null means "delete" in a merge patch) and without undefined.
const leaf = fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 6 }));
const key = fc
  .string({ minLength: 1, maxLength: 5 })
  .filter((k) => k !== '__proto__' && !k.startsWith('$'));
const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }) as fc.Arbitrary<JsonValue>,
  ),
})).v;
const object = fc.dictionary(key, value, { maxKeys: 5 }) as fc.Arbitrary<JsonObject>;

t.test('merge patch: RFC 7386 appendix A cases', async (t) => {
  const cases: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases)
    t.same(mergePatch(target, patch), want, JSON.stringify(patch));
});

t.test('property: merge patch laws', async (t) => {
  fc.assert(
    fc.property(object, object, (a, b) => deepEqual(mergePatch(a, createMergePatch(a, b)), b)),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(object, object, (target, patch) => {
      const once = mergePatch(target, patch);
      return deepEqual(mergePatch(once, patch), once);
    }),
  );
  fc.assert(fc.property(object, (a) => deepEqual(mergePatch(a, {}), a)));
  t.pass('merge patch laws hold');
});

t.test('property: without lists or directives, strategic merge equals merge patch', async (t) => {
  const flat: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.constant(null),
      fc.dictionary(key, tie('v'), { maxKeys: 3 }) as fc.Arbitrary<JsonValue>,
    ),
  })).v;
  const flatObject = fc.dictionary(key, flat, { maxKeys: 4 }) as fc.Arbitrary<JsonObject>;
  fc.assert(
    fc.property(flatObject, flatObject, (a, p) =>
      deepEqual(strategicMergePatch(a, p), mergePatch(a, p)),
    ),
    { numRuns: 300 },
  );
  t.pass('agree');
});

const deployment = (): JsonObject => ({
  metadata: { name: 'web', labels: { app: 'web', old: 'x' }, finalizers: ['a', 'b'] },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80, name: 'http' }],
          },
          { name: 'sidecar', image: 'side:1' },
        ],
        tolerations: [{ key: 'x' }],
      },
    },
  },
});

t.test('strategic merge: lists merge by their patchMergeKey', async (t) => {
  const out = strategicMergePatch(deployment(), {
    metadata: { labels: { old: null, new: 'y' } },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'app:2',
              env: [
                { name: 'B', value: '3' },
                { name: 'C', value: '4' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
          ],
          tolerations: [{ key: 'y' }],
        },
      },
    },
  }) as JsonObject;
  t.same((out.metadata as JsonObject).labels, { app: 'web', new: 'y' });
  const spec = ((out.spec as JsonObject).template as JsonObject).spec as JsonObject;
  t.same(spec.containers, [
    {
      name: 'app',
      image: 'app:2',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '3' },
        { name: 'C', value: '4' },
      ],
      ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
    },
    { name: 'sidecar', image: 'side:1' },
  ]);
  t.same(spec.tolerations, [{ key: 'y' }], 'lists without a merge key are replaced');
});

t.test('strategic merge: directives', async (t) => {
  const del = strategicMergePatch(deployment(), {
    spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
  }) as JsonObject;
  t.same(
    (
      (((del.spec as JsonObject).template as JsonObject).spec as JsonObject)
        .containers as JsonObject[]
    ).map((c) => c.name),
    ['app'],
  );
  const replaced = strategicMergePatch(deployment(), {
    spec: {
      template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o:1' }] } },
    },
  }) as JsonObject;
  t.same((((replaced.spec as JsonObject).template as JsonObject).spec as JsonObject).containers, [
    { name: 'only', image: 'o:1' },
  ]);
  const mapReplace = strategicMergePatch({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } });
  t.same(mapReplace, { a: { z: 3 } });
  t.same(strategicMergePatch({ a: { x: 1 }, b: 1 }, { a: { $patch: 'delete' } }), { b: 1 });
  const ordered = strategicMergePatch(deployment(), {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
          containers: [{ name: 'app', image: 'app:3' }],
        },
      },
    },
  }) as JsonObject;
  t.same(
    (
      (((ordered.spec as JsonObject).template as JsonObject).spec as JsonObject)
        .containers as JsonObject[]
    ).map((c) => c.name),
    ['sidecar', 'app'],
  );
  const fin = strategicMergePatch(deployment(), {
    metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] },
  }) as JsonObject;
  t.same((fin.metadata as JsonObject).finalizers, ['b', 'c']);
  t.same(
    strategicMergePatch(
      { spec: { a: 1, b: 2, c: 3 } },
      { spec: { $retainKeys: ['a', 'd'], d: 4 } },
    ),
    { spec: { a: 1, d: 4 } },
  );
  t.equal(
    codeOf(() => strategicMergePatch({}, { a: { $patch: 'explode' } })),
    400,
  );
  t.equal(
    codeOf(() => strategicMergePatch({}, { spec: { $retainKeys: 'a' } })),
    400,
  );
  t.equal(
    codeOf(() => strategicMergePatch({}, { x: [[1]] })),
    422,
  );
  t.equal(
    codeOf(() =>
      strategicMergePatch(deployment(), {
        spec: { template: { spec: { containers: [{ image: 'no-name' }] } } },
      }),
    ),
    422,
  );
});

t.test('strategic merge: status conditions merge by type, service ports by port', async (t) => {
  const pod = {
    status: {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
    },
  };
  const out = strategicMergePatch(pod, {
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }) as JsonObject;
  t.same((out.status as JsonObject).conditions, [
    { type: 'Ready', status: 'True' },
    { type: 'PodScheduled', status: 'True' },
  ]);
  const svc = {
    spec: {
      ports: [
        { port: 80, name: 'http' },
        { port: 443, name: 'https' },
      ],
    },
  };
  const svcOut = strategicMergePatch(svc, {
    spec: { ports: [{ port: 443, targetPort: 8443 }] },
  }) as JsonObject;
  t.same((svcOut.spec as JsonObject).ports, [
    { port: 80, name: 'http' },
    { port: 443, name: 'https', targetPort: 8443 },
  ]);
});

t.test('JSON patch: operations and pointer escaping', async (t) => {
  const doc = { metadata: { annotations: { 'a/b': '1', 'c~d': '2' } }, list: [1, 2, 3] };
  t.same(
    applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/annotations/envoy.io~1ready', value: 'true' },
    ]),
    {
      ...doc,
      metadata: { annotations: { 'a/b': '1', 'c~d': '2', 'envoy.io/ready': 'true' } },
    },
  );
  t.same(
    applyJsonPatch(doc, [
      { op: 'remove', path: '/metadata/annotations/a~1b' },
      { op: 'replace', path: '/metadata/annotations/c~0d', value: '3' },
    ]),
    {
      metadata: { annotations: { 'c~d': '3' } },
      list: [1, 2, 3],
    },
  );
  t.same(
    applyJsonPatch(doc, [
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'add', path: '/list/0', value: 0 },
    ]),
    { ...doc, list: [0, 1, 2, 3, 4] },
  );
  t.same(
    applyJsonPatch(doc, [
      { op: 'move', from: '/list', path: '/moved' },
      { op: 'copy', from: '/moved/0', path: '/first' },
      { op: 'test', path: '/first', value: 1 },
    ]),
    {
      metadata: doc.metadata,
      moved: [1, 2, 3],
      first: 1,
    },
  );
  t.same(doc.list, [1, 2, 3], 'the input is not modified');
  t.equal(
    codeOf(() => applyJsonPatch(doc, { op: 'add' })),
    400,
    'not an array → 400',
  );
  t.equal(
    codeOf(() => applyJsonPatch(doc, [{ op: 'add', path: '/missing/child', value: 1 }])),
    422,
    'missing parent → 422',
  );
  t.equal(
    codeOf(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }])),
    422,
  );
  t.equal(
    codeOf(() => applyJsonPatch(doc, [{ op: 'replace', path: '/list/9', value: 1 }])),
    422,
  );
  t.equal(
    codeOf(() => applyJsonPatch(doc, [{ op: 'test', path: '/list/0', value: 2 }])),
    422,
  );
  t.equal(
    codeOf(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/list' }])),
    422,
  );
});

t.test('property: JSON patch add then remove restores the document, for any key', async (t) => {
  fc.assert(
    fc.property(object, fc.string({ maxLength: 8 }), value, (doc, k, v) => {
      if (k in doc) return true;
      const path = `/${escapePointerToken(k)}`;
      const added = applyJsonPatch(doc, [
        { op: 'add', path, value: v },
        { op: 'test', path, value: v },
      ]) as JsonObject;
      return (
        deepEqual(added[k], v) && deepEqual(applyJsonPatch(added, [{ op: 'remove', path }]), doc)
      );
    }),
    { numRuns: 300 },
  );
  t.pass('round trips');
});
