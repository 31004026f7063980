"""onewindow section plugin for 环境保护审批科."""
