import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLuaDir, loadLuaScript, loadLuaScripts } from '../../../src/backend/redis/lua-loader.js';
import { SCRIPT_ERROR_CODES, scriptErrorCode } from '../../../src/backend/redis/script-errors.js';
import { executionKeys, seedExecution, useScripts } from './script-fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const luaDir = findLuaDir(here);

describe('Lua scripts: loading and contracts', () => {
  describe('findLuaDir', () => {
    it('finds the package lua/ directory from the source tree', () => {
      assert.equal(findLuaDir(join(here, '../../../src/backend/redis')), join(here, '../../../lua'));
    });

    it('finds it from a built layout (dist/backend/redis or dist/src/backend/redis) as well', () => {
      const root = mkdtempSync(join(tmpdir(), 'redflow-pkg-'));
      try {
        writeFileSync(join(root, 'package.json'), '{}');
        mkdirSync(join(root, 'lua'));
        for (const built of ['dist/backend/redis', 'dist/src/backend/redis']) {
          mkdirSync(join(root, built), { recursive: true });
          assert.equal(findLuaDir(join(root, built)), join(root, 'lua'));
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('includes', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'redflow-lua-'));
      mkdirSync(join(dir, 'lib'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('inlines nested includes once each, before the code that uses them', () => {
      writeFileSync(join(dir, 'lib/a.lua'), 'local function a() end\n');
      writeFileSync(join(dir, 'lib/b.lua'), '--- @include "lib/a"\nlocal function b() a() end\n');
      writeFileSync(join(dir, 'main.lua'), '--- @include "lib/a"\n--- @include "lib/b"\nreturn b()\n');
      const lua = loadLuaScript(dir, 'main');
      assert.equal(lua.match(/local function a\(\)/g)?.length, 1);
      assert.ok(lua.indexOf('local function a') < lua.indexOf('local function b'));
      assert.ok(!lua.includes('@include'));
      assert.deepEqual([...loadLuaScripts(dir).keys()], ['main']);
    });

    it('rejects a cycle, naming the chain', () => {
      writeFileSync(join(dir, 'lib/a.lua'), '--- @include "lib/b"\n');
      writeFileSync(join(dir, 'lib/b.lua'), '--- @include "lib/a"\n');
      writeFileSync(join(dir, 'main.lua'), '--- @include "lib/a"\n');
      assert.throws(() => loadLuaScript(dir, 'main'), /include cycle: main -> lib\/a -> lib\/b -> lib\/a/);
    });

    it('rejects a missing include, naming where it was included from', () => {
      writeFileSync(join(dir, 'main.lua'), '--- @include "lib/nope"\n');
      assert.throws(() => loadLuaScript(dir, 'main'), /lib\/nope\.lua \(included from main\)/);
    });

    it('keeps the code of an @cluster line for one Redis and takes its alternative for a Cluster, in included files too', () => {
      writeFileSync(join(dir, 'lib/a.lua'), "local CMD = 'PUBLISH' --- @cluster local CMD = 'SPUBLISH'\n");
      writeFileSync(join(dir, 'main.lua'), '--- @include "lib/a"\nreturn CMD\n');
      assert.equal(loadLuaScript(dir, 'main'), "local CMD = 'PUBLISH'\nreturn CMD\n");
      assert.equal(loadLuaScript(dir, 'main', 'redis'), "local CMD = 'PUBLISH'\nreturn CMD\n");
      assert.equal(loadLuaScript(dir, 'main', 'cluster'), "local CMD = 'SPUBLISH'\nreturn CMD\n");
      assert.equal(loadLuaScripts(dir, 'cluster').get('main'), "local CMD = 'SPUBLISH'\nreturn CMD\n");
    });

    it('announces with PUBLISH on one Redis and SPUBLISH on a Cluster, the only difference between the two', () => {
      const single = loadLuaScripts(luaDir, 'redis');
      const cluster = loadLuaScripts(luaDir, 'cluster');
      for (const [name, lua] of single) {
        assert.ok(!lua.includes('--- @cluster') && !cluster.get(name)?.includes('--- @cluster'), name);
        assert.equal(cluster.get(name), lua.replaceAll("'PUBLISH'", "'SPUBLISH'"), name);
      }
      assert.ok(cluster.get('complete-workflow-task')?.includes("local ANNOUNCE_COMMAND = 'SPUBLISH'"));
    });
  });

  describe('every script in lua/', () => {
    const files = readdirSync(luaDir).filter((f) => f.endsWith('.lua'));

    it('exists for every backend operation', () => {
      for (const name of ['create-workflow-instance', 'lock-workflow-task', 'complete-workflow-task', 'fire-timers']) {
        assert.ok(files.includes(`${name}.lua`), name);
      }
    });

    for (const file of files) {
      it(`${file} documents its KEYS, ARGV, Returns and Errors and reads only declared KEYS`, () => {
        const source = readFileSync(join(luaDir, file), 'utf8');
        const header = /^--\[\[([\s\S]*?)\]\]/.exec(source)?.[1];
        assert.ok(header, 'header comment');
        assert.match(header, /KEYS\[1\]/);
        assert.match(header, /ARGV\[1\]|ARGV: none/);
        assert.match(header, /Returns:/);
        assert.match(header, /Errors:/);
        const body = source.slice(source.indexOf(']]'));
        const declared = new Set([...header.matchAll(/KEYS\[(\d+)\]/g)].map((m) => m[1]));
        for (const [, index] of body.matchAll(/KEYS\[(\d+)\]/g)) assert.ok(declared.has(index), `KEYS[${index}] undeclared`);
      });
    }

    it('loads with every include resolved', () => {
      for (const lua of loadLuaScripts(luaDir).values()) assert.ok(!lua.includes('@include'));
    });
  });

  it('declares the same error codes in lua/lib/errors.lua and script-errors.ts', () => {
    const source = readFileSync(join(luaDir, 'lib/errors.lua'), 'utf8');
    const table = /local ERR = \{([\s\S]*?)\}/.exec(source)?.[1] ?? '';
    const lua = [...table.matchAll(/(\w+) = '(\w+)'/g)].map((m) => {
      assert.equal(m[1], m[2]);
      return m[1];
    });
    assert.deepEqual(lua.sort(), [...SCRIPT_ERROR_CODES].sort());
  });

  it('reads the code of a script error reply', () => {
    assert.equal(scriptErrorCode(new Error('LEASE_LOST exec-1')), 'LEASE_LOST');
    assert.equal(scriptErrorCode(new Error('WRONGTYPE Operation against a key')), undefined);
    assert.equal(scriptErrorCode('LEASE_LOST'), undefined);
  });

  describe('on a real Redis', () => {
    const { redis, scripts } = useScripts();

    it('keeps working after SCRIPT FLUSH empties the script cache', async () => {
      const k = executionKeys();
      await seedExecution(redis(), k);
      await redis().zadd(k.timers, 1, 'a', 2, 'b');
      const timer = (member: string) => ({
        member,
        event: Buffer.from('f'),
        instanceId: k.instanceId,
        executionId: k.executionId,
        execution: k.execution,
        inbox: k.inbox,
        workflowTasks: k.workflowTasks,
        executionTimers: k.executionTimers,
      });
      assert.equal(await scripts().fireTimers(k.timers, [timer('a')]), 1);

      await redis().script('FLUSH');
      assert.equal(await scripts().fireTimers(k.timers, [timer('b')]), 1);
      assert.equal(await redis().llen(k.inbox), 2);
    });
  });
});
