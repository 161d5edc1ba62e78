// compare.mjs SUITE HOARD_JSON NAME...: pass counts of hoard's results and of
// the results the suite ships for other caches (SUITE/results/NAME.json),
// by the suite's rules: a test passes only when the tests it depends on
// pass; "required" and "optimal" tests are counted apart, "check" tests
// (which only describe behaviour) not at all. Then hoard's failed required
// tests, with which of the others pass them.
import fs from 'fs'
import path from 'path'

const [suite, hoardFile, ...others] = process.argv.slice(2)
const { default: tests } = await import(path.join(suite, 'tests/index.mjs'))
const { default: surrogate } = await import(path.join(suite, 'tests/surrogate-control.mjs'))
tests.push(surrogate)

const byId = new Map()
for (const s of tests) for (const t of s.tests) if (!t.browser_only) byId.set(t.id, t)

const results = { hoard: JSON.parse(fs.readFileSync(hoardFile)) }
for (const name of others) results[name] = JSON.parse(fs.readFileSync(path.join(suite, 'results', name + '.json')))

function passed (res, id, seen = new Set()) {
  if (res[id] !== true) return false
  const t = byId.get(id)
  if (seen.has(id) || !t || !t.depends_on) return true
  seen.add(id)
  return t.depends_on.every(d => passed(res, d, seen))
}

console.log('| cache | required passed | optimal passed |')
console.log('|---|---|---|')
for (const [name, res] of Object.entries(results)) {
  const count = { required: [0, 0], optimal: [0, 0] }
  for (const [id, t] of byId) {
    const kind = t.kind || 'required'
    if (kind === 'check' || res[id] === undefined) continue
    count[kind][1]++
    if (passed(res, id)) count[kind][0]++
  }
  console.log(`| ${name} | ${count.required[0]} / ${count.required[1]} | ${count.optimal[0]} / ${count.optimal[1]} |`)
}
console.log('\nhoard: required tests not passed (P: that cache passes it, in the order above)')
for (const [id, t] of byId) {
  if ((t.kind || 'required') !== 'required' || passed(results.hoard, id)) continue
  const why = results.hoard[id] === true ? 'a test it depends on failed' : JSON.stringify(results.hoard[id])
  console.log(`${id}: ${why} [${others.map(o => passed(results[o], id) ? 'P' : '-').join('')}]`)
}
