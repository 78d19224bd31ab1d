# Expected XmR outputs, computed by NHSRplotthedots itself.
#
# Usage (from the repository root, with NHSRplotthedots installed from source):
#   R_LIBS=/work/rlib Rscript tests/spc/golden/generate_xmr.R [case_dir ...]
#
# For every directory tests/spc/golden/xmr_*/ (or the ones given) it reads
# input.csv and options.csv and writes expected.csv, expected_summary.csv and,
# when the package warns or stops, expected_warnings.txt / expected_error.txt.
# Each series is passed to ptd_spc() on its own (the package takes one
# improvement direction, fix_after_n_points and screen_outliers per call).

suppressPackageStartupMessages({
  library(NHSRplotthedots)
})

script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f)) dirname(normalizePath(f)) else "tests/spc/golden"
})

fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))

is_iso_date <- function(s) all(grepl("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", s[s != ""]))

# NHSRplotthedots needs a Date/POSIXct x; numeric x becomes days since 1970-01-01,
# which keeps its order (all the package uses x for).
as_x <- function(s, dates) {
  if (dates) as.Date(s) else as.Date(as.numeric(s), origin = "1970-01-01")
}

split_rebase <- function(s) {
  if (is.na(s) || s == "") return(character())
  trimws(strsplit(s, ";", fixed = TRUE)[[1]])
}

# special_cause_type (ptd_special_cause_type, case_when in precedence order)
# -> rule name
rule_name <- function(sct) {
  out <- rep("", length(sct))
  out[!is.na(sct) & sct %in% c("Above UCL", "Below LCL")] <- "astronomical"
  out[!is.na(sct) & startsWith(sct, "7 Point Trend")] <- "trend"
  out[!is.na(sct) & startsWith(sct, "2 in 3")] <- "two_in_three"
  out[!is.na(sct) & startsWith(sct, "7 Points")] <- "shift"
  unknown <- !is.na(sct) & out == "" & sct != "Common Cause"
  if (any(unknown)) stop("unknown special_cause_type: ", paste(unique(sct[unknown]), collapse = ", "))
  out
}

variation_name <- function(path) {
  # icon files: variation/<name>.svg
  sub("\\.svg$", "", basename(path))
}

assurance_name <- function(path) {
  b <- sub("\\.svg$", "", basename(path))
  c(pass = "consistent_pass", fail = "consistent_fail", inconsistent = "inconsistent")[[b]]
}

run_series <- function(d, o, dates) {
  xs <- as_x(d$x, dates)
  y <- if (all(d$y == "")) rep(NA_real_, nrow(d)) else suppressWarnings(as.numeric(d$y))
  df <- data.frame(x = xs, y = y)
  rebase <- split_rebase(o$rebase)
  rebase_arg <- if (length(rebase)) ptd_rebase(as_x(rebase, dates)) else ptd_rebase()
  target_arg <- if (!is.na(o$target) && o$target != "") ptd_target(as.numeric(o$target)) else ptd_target()
  fix <- if (!is.na(o$fix_after_n_points) && o$fix_after_n_points != "") {
    as.integer(o$fix_after_n_points)
  } else {
    NULL
  }
  dir <- if (!is.na(o$improvement_direction) && o$improvement_direction != "") {
    o$improvement_direction
  } else {
    "increase"
  }
  screen <- if (!is.na(o$screen_outliers) && o$screen_outliers != "") {
    tolower(o$screen_outliers) == "true"
  } else {
    TRUE
  }

  warns <- character()
  res <- withCallingHandlers(
    ptd_spc(df,
      value_field = "y", date_field = "x",
      rebase = rebase_arg, fix_after_n_points = fix,
      improvement_direction = dir, target = target_arg,
      screen_outliers = screen
    ),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  icons <- withCallingHandlers(
    NHSRplotthedots:::ptd_get_icons(res),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  res <- as.data.frame(res)
  # ptd_spc returns rows ordered by x; map back to the input text of x and y
  ord <- order(xs)
  stopifnot(nrow(res) == nrow(d), all(as.numeric(res$x) == as.numeric(as.POSIXct(xs[ord]))))
  points <- data.frame(
    x = d$x[ord],
    y = d$y[ord],
    mean = fmt(res$mean_col),
    lpl = fmt(res$lpl),
    upl = fmt(res$upl),
    special_cause_rule = rule_name(res$special_cause_type),
    point_type = ifelse(is.na(res$point_type), "", res$point_type),
    stringsAsFactors = FALSE
  )
  v <- icons$icon[icons$type == "variation"]
  a <- icons$icon[icons$type == "assurance"]
  summary <- data.frame(
    n_points = nrow(d),
    variation_icon = if (length(v) == 1) variation_name(v) else "",
    assurance_icon = if (length(a) == 1) assurance_name(a) else "",
    stringsAsFactors = FALSE
  )
  list(points = points, summary = summary, warnings = unique(warns))
}

run_case <- function(dir) {
  input <- read.csv(file.path(dir, "input.csv"), colClasses = "character", na.strings = character())
  opt_file <- file.path(dir, "options.csv")
  options <- if (file.exists(opt_file)) {
    read.csv(opt_file, colClasses = "character", na.strings = character())
  } else {
    data.frame(series = character())
  }
  dates <- is_iso_date(input$x)
  series <- sort(unique(input$series), method = "radix")
  pts <- list()
  sums <- list()
  warns <- character()
  errs <- character()
  for (s in series) {
    d <- input[input$series == s, , drop = FALSE]
    o <- options[options$series == s, , drop = FALSE]
    if (nrow(o) == 0) {
      o <- data.frame(series = s, improvement_direction = "", target = "", rebase = "",
                      fix_after_n_points = "", screen_outliers = "")
    }
    r <- tryCatch(run_series(d, o[1, ], dates), error = function(e) e)
    if (inherits(r, "error")) {
      errs <- c(errs, paste0(s, ": ", gsub("\n", " ", conditionMessage(r))))
      next
    }
    pts[[s]] <- cbind(series = s, r$points, stringsAsFactors = FALSE)
    sums[[s]] <- cbind(series = s, r$summary, stringsAsFactors = FALSE)
    if (length(r$warnings)) warns <- c(warns, paste0(s, ": ", gsub("\n", " ", r$warnings)))
  }
  outs <- c("expected.csv", "expected_summary.csv", "expected_warnings.txt", "expected_error.txt")
  for (f in outs) if (file.exists(file.path(dir, f))) file.remove(file.path(dir, f))
  if (length(pts)) {
    write.csv(do.call(rbind, pts), file.path(dir, "expected.csv"), row.names = FALSE,
              quote = FALSE, na = "")
    write.csv(do.call(rbind, sums), file.path(dir, "expected_summary.csv"), row.names = FALSE,
              quote = FALSE, na = "")
  }
  if (length(warns)) writeLines(warns, file.path(dir, "expected_warnings.txt"))
  if (length(errs)) writeLines(errs, file.path(dir, "expected_error.txt"))
  cat(sprintf("%-36s %3d series %4d points %s%s\n", basename(dir), length(series), nrow(input),
              if (length(warns)) paste0(length(warns), " warning(s) ") else "",
              if (length(errs)) paste0(length(errs), " error(s)") else ""))
}

args <- commandArgs(trailingOnly = TRUE)
dirs <- if (length(args)) args else sort(Sys.glob(file.path(script_dir, "xmr_*")))
for (d in dirs) run_case(d)
cat("NHSRplotthedots", as.character(packageVersion("NHSRplotthedots")), "\n")
