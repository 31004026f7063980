"""onewindow section plugin for 社会事务审批科."""
