"""mlemap: the numeric core of *MLE & MAP, derived and checked*."""
