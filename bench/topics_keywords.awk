# topics_keywords.awk — the keyword-tally peer (mawk/gawk): for each line
# "id<TAB>text" of corpus.tsv, count the keywords of KW (one per line) among
# the lower-cased [a-z0-9'] runs and print doc,keyword,count.
# Usage: mawk -v KW=keywords.txt -f topics_keywords.awk corpus.tsv > out.csv
BEGIN {
    FS = "\t"
    while ((getline k < KW) > 0) kw[k] = 1
    print "doc,keyword,count"
}
NR > 1 {
    t = tolower($2)
    gsub(/[^a-z0-9']+/, " ", t)
    n = split(t, w, " ")
    for (i = 1; i <= n; i++) if (w[i] in kw) c[w[i]]++
    for (k in c) { print $1 "," k "," c[k]; delete c[k] }
}
