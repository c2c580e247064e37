"""Wide (CJK) characters kept whole where a dialog crosses the edge of a widget beneath it.

Textual's compositor cuts every screen line at every widget's left and right edge, then
gives each piece to the front-most widget there. A dialog's line is cut at the edges of the
widgets under it too, and a double-width character standing across such a cut is split
into two spaces (rich's Segment.divide): the locate hint read `名称或简  中` where 称 sat on
the tree / list border beneath the dialog (Textualize/textual#6357, open in 8.2.8).

`install()` replaces Compositor._render_chops with one that cuts a widget's line only where
the widget beneath differs: a run of pieces one widget wins goes in as one strip, and the
other pieces of the run are claimed by an empty strip so that no widget below paints them.
A partial update is told where each strip really ends (render_partial_update), so a span
that starts inside a run still paints it from there. The output is the same cells as
before except for the characters no longer split.
Written against Textual 8.2.8 (pinned); tests/test_wide_chars.py fails if the compositor
changes under it.
"""
from __future__ import annotations

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_CLAIMED = Strip([], 0)
# Textual's own, for the tests to compare with (taken before install() can replace them).
TEXTUALS = Compositor._render_chops
TEXTUALS_PARTIAL = Compositor.render_partial_update


def _render_chops(self, crop: Region, is_rendered_line):
    cuts = self.cuts
    chops = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    intersection = Region.intersection
    # Front to back: the first widget to fill a piece wins it (as in Textual's own).
    for region, clip, strips in self._get_renders(crop):
        render_region = intersection(region, clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            starts = final_cuts[:-1]
            if not starts:
                continue
            free = [line.get(cut) is None for cut in starts]
            # Cut only where the winner changes: between two free pieces there is nothing
            # of another widget to make room for.
            kept = [0] + [i for i in range(1, len(starts)) if not (free[i] and free[i - 1])]
            ends = [starts[i] for i in kept[1:]] + [final_cuts[-1]]
            pieces = strip.divide([end - render_x for end in ends])
            for n, (i, piece) in enumerate(zip(kept, pieces)):
                if not free[i]:
                    continue
                line[starts[i]] = piece
                stop = kept[n + 1] if n + 1 < len(kept) else len(starts)
                for j in range(i + 1, stop):
                    line[starts[j]] = _CLAIMED
    return chops


def _ends(line: dict, cuts: list[int]) -> list[int]:
    """Where each piece of a line ends: a strip at its own length (a run's strip reaches
    past the next cut, an empty claim ends where it starts), an unpainted one at the next cut."""
    return [cut + strip.cell_length if strip is not None else following
            for (cut, strip), following in zip(line.items(), cuts[1:])]


def render_partial_update(self):
    update = TEXTUALS_PARTIAL(self)
    if update is not None:
        # Textual takes every piece to end at the next cut; a run's strip goes on past it,
        # and a dirty span starting inside the run would skip it.
        update.chop_ends = [_ends(line, cuts) for line, cuts in zip(update.chops, self.cuts)]
    return update


def install() -> None:
    Compositor._render_chops = _render_chops
    Compositor.render_partial_update = render_partial_update
