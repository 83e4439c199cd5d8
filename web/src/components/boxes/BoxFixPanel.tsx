// The review preview's box editor: drag a box or its handles, Delete, Ctrl+Z
// while the pointer is over the preview.
import type { Asset } from '../../api/assets';
import type { Category } from '../../api/types';
import { BOX_SPEC } from '../../state/objectEditors';
import { ObjectFixPanel, undoKeys } from '../canvas/ObjectFixPanel';
import { BoxCanvas } from './BoxCanvas';

export function BoxFixPanel({ asset, categories }: { asset: Asset; categories: readonly Category[] }) {
  return (
    <ObjectFixPanel
      asset={asset}
      categories={categories}
      spec={BOX_SPEC}
      testid="box-fix"
      hint="drag a box or its handles to fix it; Delete removes the selected box, Ctrl+Z undoes."
      tool={(editor) => <BoxCanvas editor={editor} categories={categories} />}
      onKey={(editor, e) => {
        if (e.key === 'Delete' || e.key === 'Backspace') return editor.removeSelected() || true;
        return undoKeys(editor, e);
      }}
    />
  );
}
