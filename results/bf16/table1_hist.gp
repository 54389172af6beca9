# commit: da84ba28436f6c3ca2f26accb038a43325b73f0b
# command: build-t1/bin/mnist table1 --out results/bf16 /work/runs/t1/bf16/mnist-infogan-seed1 /work/runs/t1/bf16/mnist-infogan-seed2 /work/runs/t1/bf16/mnist-infogan-seed3 /work/runs/t1/bf16/mnist-infogan-seed4 /work/runs/t1/bf16/mnist-infogan-seed5
# seed: 1
# isa: amx
# threads: 2
# start: 2026-12-07T08:17:23Z
# wall_s: 0.0
# runs: 5 runs; each run's own provenance is in its result.csv
# Render: gnuplot results/bf16/table1_hist.gp  (writes results/bf16/table1_hist.png; -e "outfile='x.png'" to change)
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
  set terminal pngcairo size 800,500 noenhanced font 'sans,11'
} else {
  set terminal png size 800,500 noenhanced
}
if (!exists('outfile')) outfile = 'results/bf16/table1_hist.png'
set output outfile
set datafile missing 'NaN'
set grid
set key top left box opaque
set title 'Table 1: majority accuracy of 5 runs (paper: 95%)'
set xlabel 'held-out accuracy, % (bars from the edge named to 2 points above)'
set ylabel 'runs'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid noxtics
set xtics rotate by -20
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#7f7f7f'
set linetype 9 lc rgb '#bcbd22'
set linetype 10 lc rgb '#17becf'
set linetype 11 lc rgb '#393b79'
set linetype 12 lc rgb '#e7ba52'
set linetype 13 lc rgb '#ad494a'
set linetype 14 lc rgb '#637939'
set linetype 15 lc rgb '#c7c7c7'
set linetype 16 lc rgb '#252525'
plot 'results/bf16/table1_hist.dat' using 2:xtic(1) title 'runs'
