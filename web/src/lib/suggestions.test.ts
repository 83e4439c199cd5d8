import { describe, expect, it } from 'vitest';
import type { Suggestion, SuggestionPayload } from '../api/models';
import type { Category } from '../api/types';
import { acceptChange, barWidth, labelOfChange, outcomeOf, outcomeRows, percent, reviewable, suggestedBoxes, topScores } from './suggestions';

const cls: SuggestionPayload = {
  type: 'classification',
  category_ids: [2],
  scores: [
    { category_id: 1, score: 0.1 },
    { category_id: 2, score: 0.7 },
    { category_id: 3, score: 0.1 },
    { category_id: 4, score: 0.05 },
    { category_id: 5, score: 0.03 },
    { category_id: 6, score: 0.02 },
  ],
};
const boxes: SuggestionPayload = {
  type: 'boxes',
  objects: [
    { id: 'a', category_id: 2, bbox: [1, 2, 3, 4], score: 0.9 },
    { id: 'a', category_id: 1, bbox: [5, 6, 7, 8], score: 0.6 },
    { id: 'bad id!', category_id: 2, bbox: [0, 0, 1, 1] },
  ],
};
let n = 0;
const newId = () => `n${++n}`;

describe('suggestion scores', () => {
  it('lists the k best, best first, ties by id', () => {
    expect(topScores(cls, 3).map((s) => s.category_id)).toEqual([2, 1, 3]);
    expect(topScores(cls).length).toBe(5);
    expect(topScores(cls, 0)).toEqual([]);
    expect(topScores({ type: 'boxes', objects: [] })).toEqual([]);
  });

  it('shows percents and bar widths within 0..100', () => {
    expect(percent(0.874)).toBe('87%');
    expect(percent(0.001)).toBe('<1%');
    expect(percent(0)).toBe('0%');
    expect(percent(1.2)).toBe('100%');
    expect(percent(Number.NaN)).toBe('0%');
    expect(barWidth(1.5)).toBe(100);
    expect(barWidth(-1)).toBe(0);
    expect(barWidth(0.25)).toBe(25);
  });
});

describe('accepting a suggestion', () => {
  it('writes the annotation of the project’s task type', () => {
    expect(acceptChange(cls, 'classification_single', newId)).toEqual({ category_ids: [2] });
    expect(acceptChange(cls, 'classification_multi', newId)).toEqual({ payload: { type: 'classification', category_ids: [2] } });
    expect(acceptChange(cls, 'detection', newId)).toBeNull();
    expect(acceptChange(boxes, 'classification_single', newId)).toBeNull();
    // No category named: the best score.
    expect(acceptChange({ ...cls, category_ids: [] }, 'classification_single', newId)).toEqual({ category_ids: [2] });
  });

  it('takes the boxes without their scores, each with a valid unique id', () => {
    n = 0;
    expect(suggestedBoxes(boxes, newId)).toEqual([
      { id: 'a', category_id: 2, bbox: [1, 2, 3, 4] },
      { id: 'n1', category_id: 1, bbox: [5, 6, 7, 8] },
      { id: 'n2', category_id: 2, bbox: [0, 0, 1, 1] },
    ]);
    expect(acceptChange(boxes, 'detection', newId)).toMatchObject({ payload: { type: 'boxes' } });
  });
});

describe('what a change reports', () => {
  it('is the label given, [] for a skip, nothing for a flag', () => {
    expect(labelOfChange({ category_ids: [3] })).toEqual([3]);
    expect(labelOfChange({ payload: { type: 'classification', category_ids: [] } })).toEqual([]);
    expect(labelOfChange({ payload: { type: 'boxes', objects: [{ id: 'x', category_id: 4, bbox: [0, 0, 1, 1] }, { id: 'y', category_id: 4, bbox: [0, 0, 2, 2] }] } })).toEqual([4]);
    expect(labelOfChange({ status: 'skipped' })).toEqual([]);
    expect(labelOfChange({ status: 'needs_review' })).toBeNull();
    expect(labelOfChange({ status: 'approved' })).toBeNull();
  });

  it('counts as the server will', () => {
    expect(outcomeOf({ payload: cls }, [2])).toBe('accepted');
    expect(outcomeOf({ payload: cls }, [3])).toBe('rejected');
    expect(outcomeOf({ payload: cls }, [])).toBe('rejected');
    expect(reviewable({ status: 'pending' })).toBe(true);
    expect(reviewable({ status: 'accepted' })).toBe(true);
    expect(reviewable({ status: 'superseded' } as Pick<Suggestion, 'status'>)).toBe(false);
    expect(reviewable(null)).toBe(false);
  });
});

describe('outcome rows', () => {
  it('names models and categories, in display order, with the share kept', () => {
    const cats: Category[] = [
      { id: 1, name: 'red', state: 'active', display_order: 1 },
      { id: 2, name: 'green', state: 'deleted', display_order: 0 },
    ];
    const rows = outcomeRows(
      {
        project_id: 1,
        models: [
          {
            model_id: 7,
            name: 'colour A',
            counts: { accepted: 3, rejected: 1, overridden: 1, pending: 2 },
            per_category: [
              { category_id: 1, counts: { accepted: 3 } },
              { category_id: 2, counts: { rejected: 1 } },
              { category_id: 9, counts: {} },
            ],
          },
        ],
      },
      cats,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].model).toEqual({ key: '7', name: 'colour A', accepted: 3, rejected: 1, overridden: 1, pending: 2, acceptRate: 0.75 });
    expect(rows[0].categories.map((c) => [c.name, c.accepted, c.rejected, c.acceptRate])).toEqual([
      ['green (deleted)', 0, 1, 0],
      ['red', 3, 0, 1],
      ['#9', 0, 0, null],
    ]);
    expect(outcomeRows(null, cats)).toEqual([]);
  });
});
