// Files from a drop: plain files, and the contents of dropped folders
// (recursively) where the browser exposes entries. Hidden files such as
// .DS_Store are left out.

interface FsEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (es: FsEntry[]) => void, fail: (e: unknown) => void) => void };
}

const visible = (name: string) => !name.startsWith('.');

async function readEntry(entry: FsEntry, out: File[]): Promise<void> {
  if (!visible(entry.name)) return;
  if (entry.isFile && entry.file) {
    const f = await new Promise<File | null>((res) => entry.file?.(res, () => res(null)));
    if (f) out.push(f);
    return;
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<FsEntry[]>((res) => reader.readEntries(res, () => res([])));
      if (batch.length === 0) break;
      for (const e of batch) await readEntry(e, out);
    }
  }
}

export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries: FsEntry[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    const entry = (item as DataTransferItem & { webkitGetAsEntry?: () => FsEntry | null }).webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(dt.files).filter((f) => visible(f.name));
  const out: File[] = [];
  for (const e of entries) await readEntry(e, out);
  return out;
}

export function filesFromInput(list: FileList | null): File[] {
  return Array.from(list ?? []).filter((f) => visible(f.name));
}
