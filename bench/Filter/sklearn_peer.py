"""Peer for the filter-classifier benchmark: GPT-3's classifier recipe in scikit-learn.

HashingVectorizer (word unigrams + bigrams, 2^20 features, l2 norm) + LogisticRegression (balanced classes),
trained on train.jsonl, scores written for test.jsonl one per line. Run with Debian's python3 (python3-sklearn).
Usage: sklearn_peer.py TRAIN.jsonl TEST.jsonl SCORES.txt HASH_BITS
"""
import json
import sys
import time

from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression


def read(path):
    texts, labels = [], []
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(1 if row["positive"] else 0)
    return texts, labels


def main():
    train_path, test_path, scores_path, bits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    train_texts, train_labels = read(train_path)
    test_texts, _ = read(test_path)
    start = time.process_time()
    wall = time.perf_counter()
    vectorizer = HashingVectorizer(n_features=2 ** bits, ngram_range=(1, 2), alternate_sign=False, norm="l2")
    model = LogisticRegression(class_weight="balanced", max_iter=1000)
    model.fit(vectorizer.transform(train_texts), train_labels)
    train_cpu = time.process_time() - start
    train_wall = time.perf_counter() - wall
    scores = model.predict_proba(vectorizer.transform(test_texts))[:, 1]
    with open(scores_path, "w", encoding="utf-8") as f:
        for s in scores:
            f.write(f"{s:.8f}\n")
    print(json.dumps({"train_cpu_seconds": train_cpu, "train_wall_seconds": train_wall}))


if __name__ == "__main__":
    main()
