"""Building the index: catalogue documents, their analysis, BM25, vectors and faiss, saved."""
