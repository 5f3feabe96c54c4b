import assert from 'node:assert/strict';
import { join } from 'node:path';
import { docSnippets, typeCheckSnippets } from './doc-snippets.js';

describe('documentation code snippets', function () {
  // One TypeScript program over the guides' snippets and the source they import.
  this.timeout(120_000);

  it('type-checks every snippet of docs/*.md that is a whole module', () => {
    const snippets = docSnippets();
    assert.ok(snippets.length >= 30, `expected the guides' snippets, found ${snippets.length}`);
    const first = snippets[0];
    assert.ok(first !== undefined);
    // A snippet that misuses the API must fail, or a passing check would prove nothing.
    const broken = {
      where: 'broken.md:1',
      fileName: join(first.fileName, '..', 'broken-1.ts'),
      code: "import { workflow } from '../../src/index.js';\nexport const t = workflow.sleepFor;\n",
    };
    const errors = typeCheckSnippets([...snippets, broken]);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /^broken\.md:1 .*sleepFor/);
  });
});
