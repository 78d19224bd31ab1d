# Writes input.csv (and options.csv) for every qicharts2 golden case
# (directories run_*, p_*, pp_*, u_*, up_*, c_*, g_*).
#
# Usage (from the repository root):
#   Rscript tests/spc/golden/make_inputs_qic.R [/path/to/shared/data]
#
# Only base R is used. generate_qic.R then runs qicharts2::qic() on these inputs.

args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[[1]] else "/work/shared/data"

script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f)) dirname(normalizePath(f)) else "tests/spc/golden"
})

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
  if (!is.null(input$n)) out$n <- num(input$n)
  write.csv(out, file.path(dir, "input.csv"), row.names = FALSE, quote = FALSE, na = "")
  opt_file <- file.path(dir, "options.csv")
  if (!is.null(options)) {
    cols <- c("series", "improvement_direction", "target", "rebase",
              "fix_after_n_points", "screen_outliers")
    for (cc in cols) if (is.null(options[[cc]])) options[[cc]] <- ""
    options <- options[cols]
    options[is.na(options)] <- ""
    write.csv(options, opt_file, row.names = FALSE, quote = FALSE, na = "")
  } else if (file.exists(opt_file)) {
    file.remove(opt_file)
  }
}

opts <- function(...) data.frame(..., stringsAsFactors = FALSE)
months <- function(n, start = "2020-01-01") seq(as.Date(start), by = "month", length.out = n)
one <- function(y, series = "a", x = months(length(y)), n = NULL) {
  d <- data.frame(series = series, x = x, y = y)
  if (!is.null(n)) d$n <- n
  d
}

# ---------------------------------------------------------------- real data
cdi <- read.csv(file.path(data_dir, "qicharts2_cdi.csv"), stringsAsFactors = FALSE)
cdi$month <- as.Date(cdi$month)
post_start <- format(min(cdi$month[cdi$period == "post"]))
cdi_in <- rbind(
  data.frame(series = "part", x = cdi$month, y = cdi$n, n = cdi$days),
  data.frame(series = "whole", x = cdi$month, y = cdi$n, n = cdi$days),
  data.frame(series = "freeze24", x = cdi$month, y = cdi$n, n = cdi$days)
)
cdi_opts <- opts(series = c("part", "freeze24"), rebase = c(post_start, ""),
                 fix_after_n_points = c("", "24"), improvement_direction = "decrease")
write_case("u_cdi", cdi_in, cdi_opts)
write_case("up_cdi", cdi_in, cdi_opts)
write_case("run_cdi", cdi_in[, c("series", "x", "y")], cdi_opts)
write_case("run_cdi_rate", cdi_in, cdi_opts)
write_case("c_cdi", cdi_in[, c("series", "x", "y")], cdi_opts)

hi <- read.csv(file.path(data_dir, "qicharts2_hospital_infections.csv"), stringsAsFactors = FALSE)
hi$month <- as.Date(hi$month)
hi <- hi[order(hi$hospital, hi$infection, hi$month), ]
hi_in <- data.frame(series = paste(hi$hospital, hi$infection, sep = "_"), x = hi$month,
                    y = hi$n, n = hi$days)
write_case("u_hospital_infections", hi_in)
write_case("up_hospital_infections", hi_in)
bac <- hi_in[grepl("_BAC$", hi_in$series), ]
write_case("c_hospital_bac", bac[, c("series", "x", "y")])

acc <- read.csv(file.path(data_dir, "qicharts2_nhs_accidents.csv"), stringsAsFactors = FALSE)
acc_in <- rbind(
  data.frame(series = "screened", x = acc$i, y = acc$r, n = acc$n),
  data.frame(series = "unscreened", x = acc$i, y = acc$r, n = acc$n)
)
acc_opts <- opts(series = "unscreened", screen_outliers = "false")
write_case("p_nhs_accidents", acc_in[acc_in$series == "screened", ])
write_case("pp_nhs_accidents", acc_in, acc_opts)

# ---------------------------------------------------------- run chart cases
write_case(
  "run_rules",
  rbind(
    # a long run: 9 points above the median of 20
    one(c(3, 5, 4, 6, 3, 5, 4, 9, 8, 9, 10, 8, 9, 10, 9, 8, 3, 5, 4, 2), "long_run"),
    # few crossings: slow up and down waves
    one(c(1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9, 1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9), "few_crossings"),
    # random: no signal
    one(c(5, 8, 3, 7, 6, 2, 9, 4, 6, 5, 7, 3, 8, 4, 6, 7, 2, 5, 8, 6), "random"),
    # many points on the median are not useful observations
    one(c(5, 5, 6, 5, 4, 5, 5, 7, 5, 3, 5, 5, 6, 5, 4, 5, 5, 6), "on_median"),
    # fewer than 10 useful points
    one(c(4, 6, 5, 7, 3), "five_points"),
    one(c(4), "one_point"),
    one(rep(4, 8), "all_equal")
  )
)
set.seed(31)
rv <- round(c(rnorm(15, 20, 3), rnorm(15, 26, 3)), 1)
rv_missing <- rv
rv_missing[c(4, 17)] <- NA
xr <- months(30)
write_case(
  "run_part_freeze",
  rbind(one(rv, "part", xr), one(rv, "freeze12", xr), one(rv, "part_and_freeze", xr),
        one(rv, "two_parts", xr), one(rv_missing, "missing", xr), one(rv, "plain", xr)),
  opts(series = c("part", "freeze12", "part_and_freeze", "two_parts"),
       rebase = c(format(xr[16]), "", format(xr[16]), paste(format(xr[c(8, 16)]), collapse = ";")),
       fix_after_n_points = c("", "12", "10", ""))
)
write_case(
  "run_numeric_x",
  data.frame(series = "a", x = c(5, 1, 3, 2, 4, 10, 7, 6, 9, 8, 12, 11),
             y = c(7, 3, 5, 4, 6, 12, 9, 8, 11, 10, 14, 13))
)

# ------------------------------------------------------------ p / pp / u / up
set.seed(41)
pn <- round(runif(24, 80, 160))
py <- rbinom(24, pn, c(rep(0.12, 16), rep(0.2, 8)))
pn_missing <- pn
py_missing <- py
py_missing[5] <- NA
pn_missing[11] <- NA
write_case(
  "p_varying_n",
  rbind(one(py, "a", n = pn), one(py_missing, "missing", n = pn_missing),
        one(py, "freeze16", n = pn), one(py, "part", n = pn)),
  opts(series = c("freeze16", "part"), fix_after_n_points = c("16", ""),
       rebase = c("", format(months(24)[17])))
)
write_case(
  "p_limits_clamped",
  rbind(one(c(0, 1, 0, 0, 2, 0, 1, 0, 0, 0, 1, 0), "near_zero", n = rep(10, 12)),
        one(c(10, 9, 10, 10, 8, 10, 9, 10, 10, 10, 9, 10), "near_one", n = rep(10, 12)),
        one(c(3, 4, 2, 5, 0, 3), "zero_denominator", n = c(20, 20, 20, 20, 0, 20)))
)
write_case(
  "pp_varying_n",
  rbind(one(py, "a", n = pn), one(py, "freeze16", n = pn)),
  opts(series = "freeze16", fix_after_n_points = "16")
)
set.seed(43)
un <- round(runif(24, 500, 1500))
uy <- rpois(24, un * c(rep(0.01, 12), rep(0.02, 12)))
write_case(
  "u_part_freeze",
  rbind(one(uy, "part", n = un), one(uy, "freeze12", n = un), one(uy, "plain", n = un)),
  opts(series = c("part", "freeze12"), rebase = c(format(months(24)[13]), ""),
       fix_after_n_points = c("", "12"))
)
write_case(
  "up_screening",
  rbind(one(c(uy[1:9], uy[10] * 4, uy[11:24]), "screened", n = un),
        one(c(uy[1:9], uy[10] * 4, uy[11:24]), "unscreened", n = un)),
  opts(series = "unscreened", screen_outliers = "false")
)

# --------------------------------------------------------------------- c / g
set.seed(47)
cy <- rpois(30, c(rep(6, 20), rep(12, 10)))
cy[25] <- 30
write_case(
  "c_part_freeze",
  rbind(one(cy, "plain"), one(cy, "part"), one(cy, "freeze20"), one(cy, "part_and_freeze")),
  opts(series = c("part", "freeze20", "part_and_freeze"),
       rebase = c(format(months(30)[21]), "", format(months(30)[21])),
       fix_after_n_points = c("", "20", "20"))
)
set.seed(53)
gy <- c(rgeom(20, 0.05), rgeom(10, 0.01))
write_case(
  "g_days_between",
  rbind(one(gy, "plain", x = 1:30), one(gy, "freeze20", x = 1:30), one(gy, "part", x = 1:30),
        one(c(0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 3, 0), "mostly_zero", x = 1:12)),
  opts(series = c("freeze20", "part"), fix_after_n_points = c("20", ""), rebase = c("", "21"))
)

cat("inputs written under", script_dir, "\n")
