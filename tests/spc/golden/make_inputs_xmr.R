# Writes input.csv (and options.csv) for every XmR golden case.
#
# Usage (from the repository root):
#   Rscript tests/spc/golden/make_inputs_xmr.R [/path/to/ae_type1_performance.csv]
#
# Only base R is used. The expected outputs are produced afterwards by
# generate_xmr.R, which runs NHSRplotthedots on these inputs.

args <- commandArgs(trailingOnly = TRUE)
ae_file <- if (length(args) >= 1) args[[1]] else "/work/shared/data/ae_type1_performance.csv"

script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f)) dirname(normalizePath(f)) else "tests/spc/golden"
})

# shortest decimal text that reads back as exactly the same double
num <- function(v) {
  vapply(v, function(z) {
    if (is.na(z)) return("")
    for (d in 15:17) {
      s <- formatC(z, digits = d, format = "g")
      if (as.numeric(s) == z) return(trimws(s))
    }
    sprintf("%.17g", z)
  }, character(1), USE.NAMES = FALSE)
}

write_case <- function(name, input, options = NULL) {
  dir <- file.path(script_dir, name)
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  out <- data.frame(
    series = as.character(input$series),
    x = if (inherits(input$x, "Date")) format(input$x, "%Y-%m-%d") else num(input$x),
    y = num(input$y),
    stringsAsFactors = FALSE
  )
  write.csv(out, file.path(dir, "input.csv"), row.names = FALSE, quote = FALSE, na = "")
  opt_file <- file.path(dir, "options.csv")
  if (!is.null(options)) {
    cols <- c("series", "improvement_direction", "target", "rebase",
              "fix_after_n_points", "screen_outliers")
    for (cc in cols) if (is.null(options[[cc]])) options[[cc]] <- ""
    options <- options[cols]
    options$target <- ifelse(is.na(options$target) | options$target == "", "",
                             num(suppressWarnings(as.numeric(options$target))))
    options[is.na(options)] <- ""
    write.csv(options, opt_file, row.names = FALSE, quote = FALSE, na = "")
  } else if (file.exists(opt_file)) {
    file.remove(opt_file)
  }
}

opts <- function(...) data.frame(..., stringsAsFactors = FALSE)
days <- function(n, start = "2020-01-01") as.Date(start) + 0:(n - 1)
months <- function(n, start = "2020-01-01") seq(as.Date(start), by = "month", length.out = n)
one <- function(y, series = "a", x = months(length(y))) data.frame(series = series, x = x, y = y)

# ---------------------------------------------------------------- real data
ae <- read.csv(ae_file, stringsAsFactors = FALSE)
ae$period <- as.Date(ae$period)
ae <- ae[order(ae$org_code, ae$period), ]
full <- names(which(table(ae$org_code) == 36))
perf_orgs <- head(sort(full), 20)
perf <- ae[ae$org_code %in% perf_orgs, ]
write_case(
  "xmr_ae_performance",
  data.frame(series = perf$org_code, x = perf$period, y = perf$performance),
  opts(series = perf_orgs, improvement_direction = "increase", target = 0.95)
)

att_orgs <- c("RAS", "RJC", "RJZ", "RR1")
att <- ae[ae$org_code %in% att_orgs, ]
write_case(
  "xmr_ae_attendances_neutral",
  data.frame(series = att$org_code, x = att$period, y = att$attendances),
  opts(series = att_orgs, improvement_direction = "neutral")
)

# the package's documented example: breaches, improvement = decrease
ex_orgs <- c("RAS", "RJZ", "RR1", "RJC")
ex <- ae[ae$org_code %in% ex_orgs, ]
write_case(
  "xmr_nhsr_example_breaches",
  data.frame(series = ex$org_code, x = ex$period, y = ex$breaches),
  opts(series = ex_orgs, improvement_direction = "decrease")
)

# performance with a rebase at 2018-04-01 and a target, two trusts
rb <- ae[ae$org_code %in% c("RAS", "RJZ"), ]
write_case(
  "xmr_ae_performance_rebase",
  data.frame(series = rb$org_code, x = rb$period, y = rb$performance),
  opts(series = c("RAS", "RJZ"), improvement_direction = "increase", target = 0.95,
       rebase = c("2017-04-01;2018-04-01", "2018-01-01"))
)

# ------------------------------------------- the package's own test datasets
set.seed(123)
r20 <- rnorm(20)
x20 <- as.Date("2020-01-01") + 1:20
write_case(
  "xmr_nhsr_test_rnorm20",
  rbind(
    data.frame(series = "plain", x = x20, y = r20),
    data.frame(series = "rebased", x = x20, y = r20),
    data.frame(series = "rebase_absent", x = x20, y = r20),
    data.frame(series = "fixed", x = x20, y = r20)
  ),
  opts(series = c("rebased", "rebase_absent", "fixed"),
       rebase = c(format(x20[11]), "2020-01-01", ""),
       fix_after_n_points = c("", "", "12"))
)

# tests/testthat/test-geom_ptd_icon.R: 24 points, then the second half moved
set.seed(123)
x24 <- as.Date("2020-01-01") + 1:24
y24 <- rnorm(24)
y24_high <- y24
y24_high[13:24] <- rnorm(12, 5)
y24_low <- y24
y24_low[13:24] <- rnorm(12, -5)
write_case(
  "xmr_nhsr_test_icons",
  rbind(
    data.frame(series = "s2_base", x = x24, y = y24),
    data.frame(series = "s5_high_increase", x = x24, y = y24_high),
    data.frame(series = "s6_high_decrease", x = x24, y = y24_high),
    data.frame(series = "s7_low_increase", x = x24, y = y24_low),
    data.frame(series = "s8_low_decrease", x = x24, y = y24_low)
  ),
  opts(series = c("s2_base", "s5_high_increase", "s6_high_decrease", "s7_low_increase",
                  "s8_low_decrease"),
       improvement_direction = c("increase", "increase", "decrease", "increase", "decrease"),
       target = c(0.5, -3, -3, 3, 3))
)

# ----------------------------------------------------------------- edge cases
# A point exactly on the mean (mean is exactly 10) inside a run of 7 above it.
on_mean <- c(5, 15, 5, 15, 12, 12, 12, 10, 12, 12, 12, 15, 5, 15, 5, 8, 8, 8, 8, 8, 8)
control <- c(5, 15, 5, 15, 12, 12, 12, 12, 12, 12, 12, 15, 5, 15, 5, 8, 8, 8, 8, 8, 6)
# on_mean: the run of 9 above is cut into 4 + 4 by the point on the mean;
# both series end with 7 points below the mean.
write_case(
  "xmr_shift_point_on_mean",
  rbind(one(on_mean, "on_mean"), one(control, "control_seven_above")),
  NULL
)

# shift lengths: 6 vs 7 vs 8 points on one side, runs at the start and the end
shift6 <- c(12, 12, 12, 12, 12, 12, 8, 12, 8, 12, 8, 8, 12, 8, 12, 8, 8, 8, 8, 8, 12)
shift7 <- c(12, 12, 12, 12, 12, 12, 12, 8, 12, 8, 12, 8, 12, 8, 8, 8, 8, 8, 8, 8, 12, 8)
shift_end <- c(12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 8, 12, 12, 12, 12, 12, 12, 12, 12)
write_case(
  "xmr_shift_lengths",
  rbind(one(shift6, "six_each_side"), one(shift7, "seven_each_side"),
        one(shift_end, "eight_at_end")),
  opts(series = "seven_each_side", improvement_direction = "decrease")
)

# trends: strict 7, ties inside, only 6, long 9, a peak shared by an up and a down trend
noise <- function(k) rep(c(5, 9), length.out = k)
write_case(
  "xmr_trend_ties",
  rbind(
    one(c(noise(3), 1, 2, 3, 4, 5, 6, 7, noise(5)), "strict_seven"),
    one(c(noise(3), 1, 2, 3, 4, 4, 5, 6, 7, noise(5)), "tie_inside"),
    one(c(noise(3), 1, 2, 3, 4, 5, 6, noise(6)), "only_six"),
    one(c(noise(2), 9, 8, 7, 6, 5, 4, 3, 2, 1, noise(4)), "nine_decreasing"),
    one(c(9, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 5, 4, 3, 2, 9, 1, 9, 1), "peak"),
    one(c(9, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 5, 4, 3, 2, 9, 1, 9, 1), "peak_neutral"),
    one(c(12, 1, 12, 1, 3, 3, 4, 5, 6, 7, 8, 9, 1, 12, 1, 12), "tie_before_rise")
  ),
  opts(series = c("nine_decreasing", "peak_neutral"), improvement_direction = c("decrease", "neutral"))
)

# a rising run of 8 split by a rebase: no trend on either side of it
across <- c(5, 9, 5, 9, 5, 9, 5, 9, 5, 9, 1, 2, 3, 4, 5, 6, 7, 8, 3, 9, 3, 9, 3, 9, 3, 9)
xa <- months(length(across))
write_case(
  "xmr_trend_across_rebase",
  rbind(one(across, "rebased", xa), one(across, "not_rebased", xa)),
  opts(series = "rebased", rebase = format(xa[15]))
)

# two-in-three patterns against fixed limits (baseline: 20 points 9/11, mean 10,
# limits 10 +/- 5.32, two-sigma lines 10 +/- 3.5467)
base20 <- rep(c(9, 11), 10)
pat <- c(9, 11, 9, 14, 11, 14, 9, 11, 9, 14, 10, 14, 9, 11, 9, 14, 9, 14, 11, 9, 11,
         6, 6, 11, 9, 6, 6, 11, 9, 11, 14, 6, 11, 9, 16, 14, 11, 9, 11, 9, 14, 14, 14, 9, 11, 9,
         6, 9, 6, 11, 9, 11, 4, 6, 9, 11, 9)
write_case(
  "xmr_two_in_three",
  one(c(base20, pat), "patterns", days(length(base20) + length(pat))),
  opts(series = "patterns", fix_after_n_points = 20)
)

# points meeting several rules (precedence astronomical > trend > two_in_three > shift)
prec <- c(base20,
          9, 11, 9, 11, 12, 12.5, 13, 13.5, 14, 17, 9, 11, 9,      # trend+shift, ends astronomical
          12, 14, 12, 14, 12, 12, 12, 9, 11, 9,                     # two_in_three inside a shift
          10.5, 11, 11.5, 12, 12.5, 13.6, 13.8, 9, 11, 9,           # trend over two_in_three
          8, 7, 6, 5, 4, 3, 9, 11)                                  # falling trend ending below lpl
write_case(
  "xmr_rule_precedence",
  rbind(one(prec, "increase", days(length(prec))), one(prec, "decrease", days(length(prec)))),
  opts(series = c("increase", "decrease"), improvement_direction = c("increase", "decrease"),
       fix_after_n_points = c(20, 20))
)

# short groups: the package warns when a period has fewer than 13 points
write_case("xmr_short_11", one(c(5, 7, 6, 8, 5, 6, 7, 9, 4, 6, 7)), NULL)
write_case("xmr_short_12", one(c(5, 7, 6, 8, 5, 6, 7, 9, 4, 6, 7, 6)), NULL)
write_case("xmr_short_13", one(c(5, 7, 6, 8, 5, 6, 7, 9, 4, 6, 7, 6, 5)), NULL)
write_case(
  "xmr_short_after_rebase",
  one(c(5, 7, 6, 8, 5, 6, 7, 9, 4, 6, 7, 6, 5, 7, 9, 8, 10, 9, 8, 10)),
  opts(series = "a", rebase = format(months(20)[14]))
)

# missing values: a gap in the middle (moving ranges do not bridge it), several gaps,
# a missing first and last point
set.seed(42)
m1 <- round(rnorm(24, 50, 5), 1)
m1[9] <- NA
m2 <- round(rnorm(24, 50, 5), 1)
m2[c(1, 5, 6, 17)] <- NA
m3 <- round(rnorm(18, 50, 5), 1)
m3[18] <- NA
write_case(
  "xmr_missing_values",
  rbind(one(m1, "gap_middle"), one(m2, "gaps_several"), one(m3, "last_missing")),
  opts(series = "last_missing", target = 45)
)
# a missing value inside a 7-point window whose other steps all go one way
write_case("xmr_missing_in_trend_window", one(c(9, 5, 9, 5, 1, 2, 3, NA, 5, 6, 7, 8, 5, 9, 5)), NULL)

# flat series
write_case(
  "xmr_flat",
  rbind(one(rep(7, 15), "a"), one(rep(7, 15), "unscreened")),
  opts(series = c("a", "unscreened"), target = c(7, 7), screen_outliers = c("", "false"))
)
write_case(
  "xmr_flat_baseline_fixed",
  one(c(rep(7, 12), 7, 8, 6, 7)),
  opts(series = "a", fix_after_n_points = 12)
)

# fix_after_n_points
set.seed(7)
f1 <- round(c(rnorm(12, 100, 8), rnorm(18, 115, 8)), 1)
write_case(
  "xmr_fix_after_n_points",
  rbind(one(f1, "fix12"), one(f1, "fix20"), one(f1, "fix_longer_than_series"),
        one(f1, "not_fixed"), one(f1, "fix12_rebase")),
  opts(series = c("fix12", "fix20", "fix_longer_than_series", "fix12_rebase"),
       fix_after_n_points = c(12, 20, 40, 12),
       rebase = c("", "", "", format(months(30)[16])))
)
# fix with a missing value among the first n points (the count includes it)
f2 <- f1[1:20]
f2[3] <- NA
write_case("xmr_fix_with_missing", one(f2, "a"), opts(series = "a", fix_after_n_points = 12))

# several rebases, including one at the first x and one not in the data
set.seed(11)
rbv <- round(c(rnorm(10, 20, 2), rnorm(15, 30, 2), rnorm(14, 25, 2), rnorm(8, 35, 2)), 2)
xr <- months(length(rbv))
write_case(
  "xmr_rebase_multiple",
  rbind(one(rbv, "three_rebases", xr), one(rbv, "with_first_and_absent", xr)),
  opts(series = c("three_rebases", "with_first_and_absent"),
       rebase = c(paste(format(xr[c(11, 26, 40)]), collapse = ";"),
                  paste(c(format(xr[c(1, 26)]), "2019-06-15"), collapse = ";")))
)

# outlier screening
set.seed(5)
so <- round(rnorm(24, 20, 1.5), 2)
so[10] <- 80
write_case(
  "xmr_screen_outliers",
  rbind(one(so, "screened"), one(so, "unscreened")),
  opts(series = c("screened", "unscreened"), screen_outliers = c("true", "false"))
)

# improvement direction
set.seed(3)
dv <- round(c(rnorm(15, 50, 3), 70, rnorm(4, 50, 3), 30, rnorm(9, 44, 2)), 2)
write_case(
  "xmr_improvement_direction",
  rbind(one(dv, "increase"), one(dv, "decrease"), one(dv, "neutral")),
  opts(series = c("increase", "decrease", "neutral"),
       improvement_direction = c("increase", "decrease", "neutral"))
)

# assurance: target above / inside / below / equal to the limits, each direction
aval <- c(9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11)  # mean 10, limits 10 +/- 5.32
as_series <- c("inc_target_above", "inc_target_inside", "inc_target_below",
               "dec_target_above", "dec_target_inside", "dec_target_below",
               "inc_target_on_upl", "neutral_with_target", "inc_no_target")
write_case(
  "xmr_assurance",
  do.call(rbind, lapply(as_series, function(s) one(aval, s))),
  opts(series = as_series,
       improvement_direction = c(rep("increase", 3), rep("decrease", 3), "increase", "neutral",
                                 "increase"),
       target = c(20, 10, 2, 20, 10, 2, 10 + 2.66 * 2, 20, NA))
)

# tiny series
write_case("xmr_single_point", one(5), opts(series = "a", target = 3))
write_case("xmr_two_points", one(c(5, 8)), opts(series = "a", target = 3))
write_case("xmr_three_points", one(c(5, 8, 6)), NULL)

# numeric x (unsorted, negative, non-integer); rebase given as a number
nx <- c(3, -2, 10, 1, 0.5, 7, 4, 2, 8, 5, -1, 6, 9, 11, 12, 13)
ny <- c(14, 10, 30, 12, 11, 22, 15, 13, 24, 17, 9, 19, 27, 31, 33, 35)
write_case(
  "xmr_numeric_x",
  rbind(data.frame(series = "numeric", x = nx, y = ny),
        data.frame(series = "numeric_rebase", x = nx, y = ny)),
  opts(series = "numeric_rebase", rebase = "6")
)

# dates given out of order and series interleaved
set.seed(9)
ux <- months(15)
uo <- sample(15)
u1 <- data.frame(series = "b", x = ux[uo], y = round(rnorm(15, 10, 2), 2)[uo])
u2 <- data.frame(series = "a", x = ux[rev(uo)], y = round(rnorm(15, 20, 2), 2)[rev(uo)])
write_case("xmr_unsorted_input", rbind(u1, u2)[c(rbind(1:15, 16:30)), ], NULL)

# large offset, small variation (floating point)
set.seed(13)
big <- 1e9 + round(rnorm(20, 0, 3), 3)
write_case("xmr_large_offset", one(big), NULL)

# negative values and a decrease direction
set.seed(17)
neg <- round(c(rnorm(12, -5, 1), rnorm(10, -8, 1)), 3)
write_case("xmr_negative_values", one(neg), opts(series = "a", improvement_direction = "decrease",
                                                 target = -6))

# longer random series with level changes, a few parameters
set.seed(2024)
lr <- list(
  r1 = round(c(rnorm(30, 100, 10), rnorm(30, 120, 10)), 1),
  r2 = round(cumsum(rnorm(60, 0, 1)) + 50, 2),
  r3 = round(rpois(60, 4) + 0, 0),
  r4 = round(c(rnorm(40, 0.8, 0.05), rnorm(20, 0.9, 0.05)), 4)
)
write_case(
  "xmr_random_series",
  do.call(rbind, lapply(names(lr), function(s) one(lr[[s]], s, days(60, "2021-01-04") + 0))),
  opts(series = c("r2", "r3", "r4"), improvement_direction = c("neutral", "decrease", "increase"),
       target = c(NA, 5, 0.85))
)

cat("inputs written under", script_dir, "\n")
