"""Reading and writing the Excalibur text format (``NAME.dtt`` with ``NAME.rls``).

The TU Delft expert judgement database and most classical-model tools exchange
studies in it:

* ``NAME.dtt``: a header ``* CLASS ASCII OUTPUT FILE. NQ=  3  QU=  5 50 95`` (how many
  quantiles, and their levels in percent), then one line per expert and item:
  expert number, expert name, item number, item id, scale (``UNI`` or ``LOG``), the
  quantiles, and optionally the question's text;
* ``NAME.rls``: one line per item: its number, id, realisation and scale, then
  optionally the question's text.

A missing answer (or the realisation of a target item) is written -999.5 (any value
from -1000 to -990 is read as missing). The extensions may be in any letter case;
either file, or the name without its extension, finds the pair. Every problem is
reported at the line and column of the file it is in.
"""

from __future__ import annotations

from forecast.cooke.excalibur.reader import MISSING, pair, read
from forecast.cooke.excalibur.writer import dumps, write

__all__ = ["MISSING", "dumps", "pair", "read", "write"]
