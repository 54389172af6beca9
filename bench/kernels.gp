# kernels.gp: SGEMM GFLOP/s per shape, ISA and thread count (bench/kernels.c writes the data).
# gnuplot -e "datafile='x.dat'; outfile='x.png'; plottitle='...'" bench/kernels.gp
set terminal pngcairo size 1200,600 font ",10"
set output outfile
set title plottitle
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set ylabel "GFLOP/s (best of repetitions, log scale)"
set logscale y
set xlabel "SGEMM shape M x N x K (InfoGAN MNIST, batch 128)"
set key outside right top
set grid ytics
set yrange [10:*]
set xrange [-0.6:*]
set datafile missing "NaN"
plot datafile using 2:xtic(1) title "AVX2 1 thread" lc rgb "#9ecae1", \
     '' using 3 title "AVX2 2 threads" lc rgb "#3182bd", \
     '' using 4 title "AVX-512 1 thread" lc rgb "#a1d99b", \
     '' using 5 title "AVX-512 2 threads" lc rgb "#31a354", \
     '' using 6 title "AVX-512 BF16 1 thread" lc rgb "#bcbddc", \
     '' using 7 title "AVX-512 BF16 2 threads" lc rgb "#756bb1", \
     '' using 8 title "AMX 1 thread" lc rgb "#fcbba1", \
     '' using 9 title "AMX 2 threads" lc rgb "#cb181d", \
     '' using 10 title "OpenBLAS 1 thread" lc rgb "#fdae6b", \
     '' using 11 title "OpenBLAS 2 threads" lc rgb "#e6550d", \
     '' using 12 title "BLIS 1 thread" lc rgb "#d9d9d9", \
     '' using 13 title "BLIS 2 threads" lc rgb "#636363"
