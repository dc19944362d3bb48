"""Finding the service card or FAQ that answers a citizen's question.

Stages, one subpackage each: ``index`` (building it), ``ranking`` (reading the question, ranking
the documents), ``deciding`` (verdict, what to answer, the answer's text) and ``evaluating``
(offline measurement and calibration). The front doors are ``search.Searcher`` (one built index)
and ``live.LiveSearcher`` (kept current with the knowledge base); see README.md.
"""
